// The terms whose name or alias is one of a text's phrases: one indexed read for a whole message
// (name_norm and alias_norm are what exact lookups compare, see matching/lookup-repo.ts).
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { TermStatus } from '../tables.js';

export interface PhraseMatch {
  term_id: string;
  name: string;
  status: TermStatus;
  definition: string;
  replaced_by_id: string | null;
  /** The phrase (normalised) that matched: the term's name, or one of its aliases. */
  phrase: string;
  kind: 'name' | 'alias';
}

export async function termsNamedBy(db: Db, orgId: string, phrases: string[]): Promise<PhraseMatch[]> {
  if (phrases.length === 0) return [];
  const names = db
    .selectFrom('glossary_terms as t')
    .select(['t.id as term_id', 't.name', 't.status', sql<string>`left(t.definition, 400)`.as('definition'), 't.replaced_by_id', 't.name_norm as phrase', sql<'name' | 'alias'>`'name'`.as('kind')])
    .where('t.org_id', '=', orgId)
    .where('t.name_norm', 'in', phrases);
  const aliases = db
    .selectFrom('glossary_aliases as a')
    .innerJoin('glossary_terms as t', 't.id', 'a.term_id')
    .select(['t.id as term_id', 't.name', 't.status', sql<string>`left(t.definition, 400)`.as('definition'), 't.replaced_by_id', 'a.alias_norm as phrase', sql<'name' | 'alias'>`'alias'`.as('kind')])
    .where('a.org_id', '=', orgId)
    .where('a.alias_norm', 'in', phrases);
  return names.unionAll(aliases).execute();
}

/** Name and start of definition of the terms a deprecated term points to. */
export async function termSummaries(db: Db, orgId: string, termIds: string[]): Promise<{ id: string; name: string; definition: string; status: TermStatus }[]> {
  if (termIds.length === 0) return [];
  return db
    .selectFrom('glossary_terms')
    .select(['id', 'name', 'status', sql<string>`left(definition, 400)`.as('definition')])
    .where('org_id', '=', orgId)
    .where('id', 'in', termIds)
    .execute();
}
