// What every change of the glossary shares: its dependencies, who may edit a term, the term's locked
// current state, and one transaction under the organisation's glossary lock.
import { hasRole, type Actor } from '../chat/actor.js';
import { NotFound, PermissionDenied } from '../chat/errors.js';
import type { Db } from '../db/database.js';
import type { Services } from '../services.js';
import type { TermIndexes } from './matching/term-indexes.js';
import type { TermCards } from './term-cards.js';
import type { CurrentTerm, TermState } from './publish.js';
import * as terms from './repo/terms.js';

/**
 * What the glossary's use cases need; the term indexes, when given, let lookups match in memory, and
 * the term cards remember cards per term and read the others together.
 */
export type GlossaryDeps = Pick<Services, 'db' | 'clock' | 'kickDelivery'> & { termIndexes?: TermIndexes; termCards?: TermCards };

/** Admins, glossary stewards and the term's own steward change terms directly. */
export function isEditor(actor: Actor, stewardPersonId?: string | null): boolean {
  return hasRole(actor, 'admin') || hasRole(actor, 'glossary_steward') || (Boolean(stewardPersonId) && stewardPersonId === actor.personId);
}

export function requireEditor(actor: Actor, stewardPersonId: string | null | undefined, doing: string): void {
  if (!isEditor(actor, stewardPersonId)) {
    throw new PermissionDenied(`Only the term's steward, glossary stewards and admins can ${doing}. Nothing was changed.`);
  }
}

/** The term's current state, locked for the rest of the transaction. */
export async function currentTerm(trx: Db, orgId: string, termId: string): Promise<CurrentTerm> {
  const row = await terms.lockTerm(trx, orgId, termId);
  if (!row) throw new NotFound('That term no longer exists in this organisation. Nothing was changed.');
  return { id: row.id, version: row.version, state: stateOf(row, await terms.aliasesOf(trx, row.id)) };
}

export function stateOf(row: terms.TermRow, aliases: string[]): TermState {
  return {
    name: row.name,
    definition: row.definition,
    notes: row.notes,
    links: row.links,
    aliases,
    status: row.status,
    replacedById: row.replaced_by_id,
    stewardPersonId: row.steward_person_id,
  };
}

/** Runs a glossary change in one transaction under the organisation's lock, then wakes delivery. */
export async function change<T>(deps: GlossaryDeps, actor: Actor, work: (trx: Db, outboxIds: string[]) => Promise<T>): Promise<T> {
  const outboxIds: string[] = [];
  const result = await deps.db.transaction().execute(async (trx) => {
    await terms.lockGlossary(trx, actor.orgId);
    return work(trx, outboxIds);
  });
  if (outboxIds.length) deps.kickDelivery(outboxIds);
  return result;
}

export const author = (actor: Actor) => ({ personId: actor.personId });
