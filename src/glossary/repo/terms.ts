// Terms, their aliases and their versions: reads, the glossary lock, and the writes of publishing.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { GlossaryAliasesTable, GlossaryTermsTable, GlossaryVersionsTable } from '../tables.js';

/** Glossary writes of one organisation take turns, so name and alias checks cannot race. */
export async function lockGlossary(trx: Db, orgId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(727100, hashtext(${orgId}::text))`.execute(trx);
}


const TERM_COLUMNS = [
  'id',
  'org_id',
  'name',
  'definition',
  'notes',
  'links',
  'status',
  'replaced_by_id',
  'steward_person_id',
  'version',
  'updated_at',
] as const;

/** A term as the use cases read it. */
export type TermRow = Pick<Selectable<GlossaryTermsTable>, (typeof TERM_COLUMNS)[number]>;

/** A term as written (dates as Date: the bulk writes pass them as text). */
export type NewTermRow = Omit<Insertable<GlossaryTermsTable>, 'id' | 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date };

export type VersionRow = Omit<Insertable<GlossaryVersionsTable>, 'id' | 'created_at'> & { created_at: Date };

export type AliasRow = Omit<Insertable<GlossaryAliasesTable>, 'id' | 'created_at'>;

export async function findTerm(db: Db, orgId: string, termId: string): Promise<TermRow | undefined> {
  return db.selectFrom('glossary_terms').select(TERM_COLUMNS).where('org_id', '=', orgId).where('id', '=', termId).executeTakeFirst();
}

/** The term, locked until the transaction ends. */
export async function lockTerm(trx: Db, orgId: string, termId: string): Promise<TermRow | undefined> {
  return trx.selectFrom('glossary_terms').select(TERM_COLUMNS).where('org_id', '=', orgId).where('id', '=', termId).forUpdate().executeTakeFirst();
}

export async function aliasesOf(db: Db, termId: string): Promise<string[]> {
  const rows = await db.selectFrom('glossary_aliases').select('alias').where('term_id', '=', termId).orderBy('created_at').orderBy('alias').execute();
  return rows.map((r) => r.alias);
}

export async function orgTimeZone(db: Db, orgId: string): Promise<string> {
  const row = await db.selectFrom('organisations').select('time_zone').where('id', '=', orgId).executeTakeFirst();
  return row?.time_zone ?? 'UTC';
}

export async function insertVersion(trx: Db, row: VersionRow): Promise<void> {
  await trx.insertInto('glossary_versions').values(row).execute();
}

export async function versionsOf(db: Db, termId: string, limit: number) {
  return db
    .selectFrom('glossary_versions as v')
    .leftJoin('people as by', 'by.id', 'v.changed_by_person_id')
    .leftJoin('people as proposer', 'proposer.id', 'v.proposed_by_person_id')
    .select([
      'v.version',
      'v.name',
      'v.definition',
      'v.notes',
      'v.links',
      'v.aliases',
      'v.status',
      'v.replaced_by_id',
      'v.steward_person_id',
      'v.change',
      'v.changed_by_person_id',
      'v.changed_by_label',
      'v.proposed_by_person_id',
      'v.rolled_back_to',
      'v.created_at',
      'by.display_name as changed_by_name',
      'proposer.display_name as proposed_by_name',
    ])
    .where('v.term_id', '=', termId)
    .orderBy('v.version', 'desc')
    .limit(limit)
    .execute();
}

export async function versionOf(db: Db, orgId: string, termId: string, version: number) {
  return db
    .selectFrom('glossary_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('term_id', '=', termId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function countVersions(db: Db, termId: string): Promise<number> {
  const row = await db.selectFrom('glossary_versions').select((eb) => eb.fn.countAll<number>().as('n')).where('term_id', '=', termId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Terms changed most recently, with the change that made their current version. */
export async function recentlyChanged(db: Db, orgId: string, limit: number) {
  return db
    .selectFrom('glossary_terms as t')
    .innerJoin('glossary_versions as v', (join) => join.onRef('v.term_id', '=', 't.id').onRef('v.version', '=', 't.version'))
    .leftJoin('people as by', 'by.id', 'v.changed_by_person_id')
    .select(['t.id', 't.name', 't.status', 't.version', 't.updated_at', 'v.change', 'v.changed_by_label', 'by.display_name as changed_by_name'])
    .where('t.org_id', '=', orgId)
    .orderBy('t.updated_at', 'desc')
    .orderBy('t.name')
    .limit(limit)
    .execute();
}

export async function personName(db: Db, personId: string | null): Promise<string | undefined> {
  if (!personId) return undefined;
  const row = await db.selectFrom('people').select('display_name').where('id', '=', personId).executeTakeFirst();
  return row?.display_name;
}

/** Terms that use any of these normalised texts as their name or as an alias. */
export async function ownersOfTexts(db: Db, orgId: string, norms: string[]) {
  if (norms.length === 0) return [];
  const result = await sql<{ norm: string; term_id: string; name: string; kind: 'name' | 'alias' }>`
    select t.name_norm as norm, t.id as term_id, t.name, 'name' as kind
    from unnest(${norms}::text[]) as u(norm)
    cross join lateral (select * from glossary_terms s where s.org_id = ${orgId} and s.name_norm = u.norm offset 0) t
    union all
    select a.alias_norm, t.id, t.name, 'alias'
    from unnest(${norms}::text[]) as u(norm)
    cross join lateral (select * from glossary_aliases s where s.org_id = ${orgId} and s.alias_norm = u.norm offset 0) a
    join glossary_terms t on t.id = a.term_id
  `.execute(db);
  return result.rows;
}


export async function insertTerm(trx: Db, row: NewTermRow): Promise<string> {
  return (await trx.insertInto('glossary_terms').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateTerm(trx: Db, termId: string, changes: Omit<NewTermRow, 'org_id' | 'created_at'>): Promise<void> {
  await trx.updateTable('glossary_terms').set(changes).where('id', '=', termId).execute();
}

export async function aliasRowsOf(trx: Db, termId: string) {
  return trx.selectFrom('glossary_aliases').select(['id', 'alias', 'alias_norm']).where('term_id', '=', termId).execute();
}

export async function deleteAliases(trx: Db, aliasIds: string[]): Promise<void> {
  if (aliasIds.length) await trx.deleteFrom('glossary_aliases').where('id', 'in', aliasIds).execute();
}

export async function insertAliases(trx: Db, rows: AliasRow[]): Promise<void> {
  if (rows.length) await trx.insertInto('glossary_aliases').values(rows).execute();
}
