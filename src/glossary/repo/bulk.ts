// Bulk writes for imports: one statement per few thousand rows, each column passed as one array
// (unnest), which keeps both the SQL text and the JavaScript work per row small.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { isNumber } from '../matching/normalise.js';
import type { AliasRow, NewTermRow, VersionRow } from './terms.js';

const BULK = 5000;

async function inBulk<T, R>(rows: T[], write: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += BULK) out.push(...(await write(rows.slice(i, i + BULK))));
  return out;
}

const iso = (date: Date) => date.toISOString();

/** Adds the words of names and aliases to the organisation's vocabulary (numbers are left out). */
export async function addWords(trx: Db, orgId: string, words: Iterable<string>): Promise<void> {
  const list = [...new Set(words)].filter((w) => w && !isNumber(w));
  for (let i = 0; i < list.length; i += BULK) {
    await sql`insert into glossary_words (org_id, word) select ${orgId}, unnest(${list.slice(i, i + BULK)}::text[]) on conflict do nothing`.execute(trx);
  }
}


export async function insertTermsBulk(trx: Db, rows: NewTermRow[]): Promise<{ id: string; name_norm: string }[]> {
  return inBulk(rows, async (chunk) => {
    const col = <K extends keyof NewTermRow>(key: K) => chunk.map((r) => r[key]);
    const result = await sql<{ id: string; name_norm: string }>`
      insert into glossary_terms (org_id, name, name_norm, name_key, name_compact, definition, notes, links, status, replaced_by_id, steward_person_id, version, words, search_text, created_at, updated_at)
      select org_id, name, name_norm, name_key, name_compact, definition, notes, links::jsonb, status, replaced_by_id, steward_person_id, version, words, search_text, created_at, updated_at
      from unnest(
        ${col('org_id')}::uuid[], ${col('name')}::text[], ${col('name_norm')}::text[], ${col('name_key')}::text[], ${col('name_compact')}::text[], ${col('definition')}::text[],
        ${col('notes')}::text[], ${col('links')}::text[], ${col('status')}::text[], ${col('replaced_by_id')}::uuid[], ${col('steward_person_id')}::uuid[],
        ${col('version')}::int[], ${col('words')}::text[], ${col('search_text')}::text[], ${chunk.map((r) => iso(r.created_at))}::timestamptz[], ${chunk.map((r) => iso(r.updated_at))}::timestamptz[]
      ) as u(org_id, name, name_norm, name_key, name_compact, definition, notes, links, status, replaced_by_id, steward_person_id, version, words, search_text, created_at, updated_at)
      returning id, name_norm
    `.execute(trx);
    return result.rows;
  });
}

export async function insertAliasesBulk(trx: Db, rows: AliasRow[]): Promise<void> {
  await inBulk(rows, async (chunk) => {
    const col = <K extends keyof AliasRow>(key: K) => chunk.map((r) => r[key]);
    await sql`
      insert into glossary_aliases (org_id, term_id, alias, alias_norm)
      select * from unnest(${col('org_id')}::uuid[], ${col('term_id')}::uuid[], ${col('alias')}::text[], ${col('alias_norm')}::text[])
    `.execute(trx);
    return [];
  });
}

export async function insertVersionsBulk(trx: Db, rows: VersionRow[]): Promise<void> {
  await inBulk(rows, async (chunk) => {
    const col = <K extends keyof VersionRow>(key: K) => chunk.map((r) => r[key]);
    await sql`
      insert into glossary_versions (org_id, term_id, version, name, definition, notes, links, aliases, status, replaced_by_id, steward_person_id, change,
        changed_by_person_id, changed_by_label, proposed_by_person_id, proposal_id, rolled_back_to, created_at)
      select org_id, term_id, version, name, definition, notes, links::jsonb, aliases::jsonb, status, replaced_by_id, steward_person_id, change,
        changed_by_person_id, changed_by_label, proposed_by_person_id, proposal_id, rolled_back_to, created_at
      from unnest(
        ${col('org_id')}::uuid[], ${col('term_id')}::uuid[], ${col('version')}::int[], ${col('name')}::text[], ${col('definition')}::text[], ${col('notes')}::text[],
        ${col('links')}::text[], ${col('aliases')}::text[], ${col('status')}::text[], ${col('replaced_by_id')}::uuid[], ${col('steward_person_id')}::uuid[], ${col('change')}::text[],
        ${col('changed_by_person_id')}::uuid[], ${col('changed_by_label')}::text[], ${col('proposed_by_person_id')}::uuid[], ${col('proposal_id')}::uuid[],
        ${col('rolled_back_to')}::int[], ${chunk.map((r) => iso(r.created_at))}::timestamptz[]
      ) as u(org_id, term_id, version, name, definition, notes, links, aliases, status, replaced_by_id, steward_person_id, change,
        changed_by_person_id, changed_by_label, proposed_by_person_id, proposal_id, rolled_back_to, created_at)
    `.execute(trx);
    return [];
  });
}

/**
 * After a large import (outside its transaction): vacuums the glossary's tables, which merges the
 * pending-list entries of their GIN indexes, marks the new rows visible to every reader and
 * refreshes the planner's statistics. Autovacuum would do all of it later, in the middle of the
 * first lookups after the import.
 */
export async function tidyAfterImport(db: Db): Promise<void> {
  await sql`vacuum (analyze) glossary_terms, glossary_aliases, glossary_words, glossary_versions`.execute(db);
}

/** Every term of an organisation with its aliases (in the order a card shows them), for an import to compare with. */
export async function allTermsWithAliases(db: Db, orgId: string) {
  const terms = await db
    .selectFrom('glossary_terms')
    .select(['id', 'name', 'name_norm', 'definition', 'notes', 'links', 'status', 'replaced_by_id', 'steward_person_id', 'version'])
    .where('org_id', '=', orgId)
    .execute();
  const aliases = await db.selectFrom('glossary_aliases').select(['term_id', 'alias']).where('org_id', '=', orgId).orderBy('created_at').orderBy('alias').execute();
  return { terms, aliases };
}

/** Removes every alias of these terms, a thousand terms per statement (each id is one parameter). */
export async function deleteAliasesOfTerms(trx: Db, termIds: string[]): Promise<void> {
  const chunk = 1000;
  for (let i = 0; i < termIds.length; i += chunk) {
    await trx.deleteFrom('glossary_aliases').where('term_id', 'in', termIds.slice(i, i + chunk)).execute();
  }
}

export async function setReplacement(trx: Db, termId: string, replacedById: string | null): Promise<void> {
  await trx.updateTable('glossary_terms').set({ replaced_by_id: replacedById }).where('id', '=', termId).execute();
}

/** The whole glossary of one organisation as the CSV export writes it, aliases joined by ';'. */
export async function exportRows(db: Db, orgId: string) {
  return db
    .selectFrom('glossary_terms as t')
    .leftJoin('people as p', 'p.id', 't.steward_person_id')
    .select([
      't.name',
      't.definition',
      't.notes',
      't.status',
      'p.email',
      sql<string>`coalesce((select string_agg(a.alias, ';' order by a.created_at, a.alias) from glossary_aliases a where a.term_id = t.id), '')`.as('aliases'),
    ])
    .where('t.org_id', '=', orgId)
    .orderBy('t.name_norm')
    .execute();
}
