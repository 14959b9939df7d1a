// People as others see them in chat: a mention on the platform where they are known, a name elsewhere.
import type { ChatContext } from '../chat/capability.js';
import type { PersonRef } from '../chat/card.js';
import { InvalidInput } from '../chat/errors.js';
import type { Db } from '../db/database.js';
import * as repo from './repo.js';
import type { Actor } from '../chat/actor.js';

/** PersonRefs for these people, keyed by person id. */
export async function personRefs(db: Db, personIds: string[]): Promise<Map<string, PersonRef>> {
  const unique = [...new Set(personIds)];
  if (unique.length === 0) return new Map();
  // One query: each person with their identities.
  return refsOf(await repo.personRefRows(db, unique));
}

export function refsOf(rows: repo.PersonRefRow[]): Map<string, PersonRef> {
  return new Map(rows.map((row) => [row.id, { name: row.name, ...(row.slack ? { slackUserId: row.slack } : {}), ...(row.teams ? { teamsAadId: row.teams } : {}) }]));
}

export async function personRef(db: Db, personId: string): Promise<PersonRef> {
  return (await personRefs(db, [personId])).get(personId) ?? { name: 'someone' };
}

/**
 * The person a `<@id>` token in command text names (adapters write mentions that way), created on
 * first sight like any other user of the same workspace or tenant.
 */
export async function mentionedPerson(ctx: ChatContext, token: string, usage: string): Promise<Actor> {
  const match = /^<@([^>|]+)(?:\|[^>]*)?>$/.exec(token.trim());
  const userId = match?.[1];
  if (!userId) throw new InvalidInput(`“${token}” is not a mention of a person. ${usage}`);
  const mentioned = ctx.request.mentions.find((m) => m.id === userId);
  return ctx.services.orgs.resolveActor({ ...ctx.request, user: mentioned ?? { id: userId } });
}
