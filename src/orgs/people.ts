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
  const refs = new Map<string, PersonRef>();
  if (unique.length === 0) return refs;
  const people = await repo.peopleByIds(db, unique);
  for (const person of people) refs.set(person.id, { name: person.display_name });
  for (const identity of await repo.identitiesOf(db, unique)) {
    const ref = refs.get(identity.person_id);
    if (!ref) continue;
    if (identity.platform === 'slack') ref.slackUserId = identity.external_user_id;
    else ref.teamsAadId = identity.external_user_id;
  }
  return refs;
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
