// The lookup log and what the statistics read from it.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { PLAN_ONCE } from '../../db/prepared-client.js';
import type { LookupOutcome, LookupSource, TermStatus } from '../tables.js';

export interface LookupEntry {
  orgId: string;
  /** The query as typed (first 200 characters) and normalised. */
  query: string;
  queryNorm: string;
  termId: string | null;
  outcome: LookupOutcome;
  /** Nobody for an assistant's lookup: the MCP token names an organisation, not a person. */
  personId: string | null;
  platform: LookupSource;
  at: Date;
}

export async function findLookup(db: Db, orgId: string, lookupId: number) {
  return db.selectFrom('glossary_lookups').select(['id', 'query', 'query_norm']).where('org_id', '=', orgId).where('id', '=', lookupId).executeTakeFirst();
}

export async function mostLookedUp(db: Db, orgId: string, since: Date, limit: number) {
  return db
    .selectFrom('glossary_lookups as l')
    .innerJoin('glossary_terms as t', 't.id', 'l.term_id')
    .select(['t.id', 't.name', (eb) => eb.fn.countAll<number>().as('count')])
    .where('l.org_id', '=', orgId)
    .where('l.created_at', '>=', since)
    .where('l.outcome', '=', 'found')
    .groupBy(['t.id', 't.name'])
    .orderBy('count', 'desc')
    .orderBy('t.name')
    .limit(limit)
    .execute();
}

/** Queries that found no term, grouped by their normalised text; the most recent wording is shown, and where it was asked. */
export async function mostMissed(db: Db, orgId: string, since: Date, limit: number) {
  const result = await sql<{ query_norm: string; query: string; count: number; sources: LookupSource[] }>`
    select l.query_norm, (array_agg(l.query order by l.created_at desc))[1] as query, count(*)::int as count,
      array_agg(distinct l.platform order by l.platform) as sources
    from glossary_lookups l
    where l.org_id = ${orgId} and l.created_at >= ${since} and l.outcome <> 'found'
      and not exists (
        select 1 from glossary_terms t where t.org_id = l.org_id and t.name_norm = l.query_norm
        union all
        select 1 from glossary_aliases a where a.org_id = l.org_id and a.alias_norm = l.query_norm
      )
    group by l.query_norm
    order by count(*) desc, l.query_norm
    limit ${limit}
  `.execute(db);
  return result.rows.map((r) => ({ ...r, count: Number(r.count) }));
}

export async function lookupTotals(db: Db, orgId: string, since: Date) {
  const result = await sql<{ total: number; found: number }>`
    select count(*)::int as total, count(*) filter (where outcome = 'found')::int as found
    from glossary_lookups where org_id = ${orgId} and created_at >= ${since}
  `.execute(db);
  const row = result.rows[0];
  return { total: Number(row?.total ?? 0), found: Number(row?.found ?? 0) };
}

export async function termCount(db: Db, orgId: string) {
  const result = await sql<{ status: TermStatus; n: number }>`select status, count(*)::int as n from glossary_terms where org_id = ${orgId} group by status`.execute(db);
  return Object.fromEntries(result.rows.map((r) => [r.status, Number(r.n)])) as Partial<Record<TermStatus, number>>;
}


/**
 * Writes logged lookups in one statement (one round trip), each column passed as one array.
 * Statistics, not something a person did: the commit does not wait for the WAL to reach the disk
 * (a crash of Postgres itself may lose the last moments of them); every other write still does.
 * `set_config(…, true)` sets that for this statement's own transaction only: it is in force when the
 * statement commits, and the connection's setting is back afterwards (no begin, set, commit trips).
 */
export async function insertLookups(db: Db, rows: LookupEntry[]): Promise<void> {
  const col = <K extends keyof LookupEntry>(key: K) => rows.map((r) => r[key]);
  await sql`${sql.raw(PLAN_ONCE)}
    with no_wait as (select set_config('synchronous_commit', 'off', true))
    insert into glossary_lookups (org_id, query, query_norm, term_id, outcome, person_id, platform, created_at)
    select l.* from no_wait, unnest(
      ${col('orgId')}::uuid[], ${col('query')}::text[], ${col('queryNorm')}::text[], ${col('termId')}::uuid[],
      ${col('outcome')}::text[], ${col('personId')}::uuid[], ${col('platform')}::text[], ${rows.map((r) => r.at.toISOString())}::timestamptz[]
    ) as l
  `.execute(db);
}
