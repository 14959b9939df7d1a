// SQL of the KPIs capability, through Kysely. Dates are selected as text (see tables.ts).
import { sql, type Insertable, type Selectable, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import { journeyChainCte } from '../journeys/repo.js';
import type { Database } from '../db/tables.js';
import type { Point } from './status.js';
import type { KpisTable } from './tables.js';

export type Executor = Db | Transaction<Database>;


const KPI_COLUMNS = [
  'kpis.id',
  'kpis.org_id',
  'kpis.journey_id',
  'kpis.key',
  'kpis.name',
  'kpis.unit',
  'kpis.direction',
  'kpis.target',
  'kpis.warning',
  'kpis.breach',
  'kpis.cadence',
  'kpis.glossary_term',
  'kpis.glossary_term_id',
  'kpis.breach_periods',
  'kpis.remind_every_periods',
] as const;

type KpiColumn = (typeof KPI_COLUMNS)[number] extends `kpis.${infer C}` ? C : never;

/** A KPI's definition, as every reader of it selects it. */
export type KpiRow = Pick<Selectable<KpisTable>, Extract<KpiColumn, keyof KpisTable>>;

export async function findKpiByKey(db: Executor, orgId: string, key: string): Promise<KpiRow | undefined> {
  return db.selectFrom('kpis').select(KPI_COLUMNS).where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst();
}

export async function findKpi(db: Executor, kpiId: string): Promise<KpiRow | undefined> {
  return db.selectFrom('kpis').select(KPI_COLUMNS).where('id', '=', kpiId).executeTakeFirst();
}

export async function kpisByKeys(db: Executor, orgId: string, keys: string[]): Promise<KpiRow[]> {
  if (keys.length === 0) return [];
  return db.selectFrom('kpis').select(KPI_COLUMNS).where('org_id', '=', orgId).where('key', 'in', keys).execute();
}

export async function kpisOfJourney(db: Executor, journeyId: string): Promise<KpiRow[]> {
  return db.selectFrom('kpis').select(KPI_COLUMNS).where('journey_id', '=', journeyId).orderBy('key').execute();
}

/** KPI keys and names of an organisation that look like the text, for "did you mean". */
export async function similarKpis(db: Executor, orgId: string, text: string, limit = 5) {
  return db
    .selectFrom('kpis')
    .select(['key', 'name'])
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb(sql`similarity(key, ${text})`, '>', 0.2), eb(sql`similarity(lower(name), ${text})`, '>', 0.2), eb('key', 'like', `%${text.replace(/[%_\\]/g, '')}%`)]))
    .orderBy(sql`greatest(similarity(key, ${text}), similarity(lower(name), ${text}))`, 'desc')
    .limit(limit)
    .execute();
}

/** The latest `perKpi` values of each KPI in one segment, newest first within each KPI. */
export async function recentValues(db: Executor, kpiIds: string[], segment: string, perKpi: number): Promise<Map<string, Point[]>> {
  const byKpi = new Map<string, Point[]>(kpiIds.map((id) => [id, []]));
  if (kpiIds.length === 0) return byKpi;
  const result = await sql<{ kpi_id: string; period: string; value: number }>`
    select k.id as kpi_id, v.period_start::text as period, v.value
    from unnest(${kpiIds}::uuid[]) as k(id)
    cross join lateral (
      select period_start, value from kpi_values
      where kpi_id = k.id and segment = ${segment}
      order by period_start desc
      limit ${perKpi}
    ) v
  `.execute(db);
  for (const row of result.rows) byKpi.get(row.kpi_id)?.push({ period: row.period, value: row.value });
  return byKpi;
}

/** Every segment of a KPI with its latest `perSegment` values, newest first. */
export async function recentValuesBySegment(db: Executor, kpiId: string, perSegment: number, maxSegments = 20): Promise<Map<string, Point[]>> {
  const result = await sql<{ segment: string; period: string; value: number }>`
    select s.segment, v.period_start::text as period, v.value
    from (
      -- The KPI's segments by skipping through the primary key (one probe per segment), instead of
      -- reading every value of the KPI: a KPI gathers many thousands of values over the years.
      with recursive segments as (
        (select segment from kpi_values where kpi_id = ${kpiId} order by segment limit 1)
        union all
        select (select v.segment from kpi_values v where v.kpi_id = ${kpiId} and v.segment > segments.segment order by v.segment limit 1)
        from segments where segments.segment is not null
      )
      select segment from segments where segment is not null limit ${maxSegments}
    ) s
    cross join lateral (
      select period_start, value from kpi_values
      where kpi_id = ${kpiId} and segment = s.segment
      order by period_start desc
      limit ${perSegment}
    ) v
    order by s.segment, v.period_start desc
  `.execute(db);
  const bySegment = new Map<string, Point[]>();
  for (const row of result.rows) {
    const list = bySegment.get(row.segment) ?? [];
    list.push({ period: row.period, value: row.value });
    bySegment.set(row.segment, list);
  }
  return bySegment;
}

export interface ValueRow {
  kpiId: string;
  segment: string;
  period: string;
  value: number;
  source: string;
}

export interface WriteCounts {
  /** Rows written (inserted or replaced). */
  written: number;
  /** Rows that already existed for their (KPI, segment, period). */
  existing: number;
  /** Existing rows whose value changed, each recorded in the history. */
  replaced: number;
}

function inputRows(rows: ValueRow[]) {
  return sql`
    select * from unnest(
      ${rows.map((r) => r.kpiId)}::uuid[],
      ${rows.map((r) => r.segment)}::text[],
      ${rows.map((r) => r.period)}::date[],
      ${rows.map((r) => r.value)}::float8[],
      ${rows.map((r) => r.source)}::text[]
    ) as t(kpi_id, segment, period_start, value, source)
  `;
}

/**
 * Writes values: new (KPI, segment, period) rows are inserted; existing ones are replaced, and every
 * changed value is recorded in the history. The common case, values for new periods, is a single
 * insert; only when some already existed does a second statement read the old values and replace
 * them. The caller holds the KPIs' row locks (lockAndBumpKpis), so a concurrent ingest of the same
 * KPI cannot slip a row in between.
 */
export async function writeValues(trx: Transaction<Database>, rows: ValueRow[], now: Date): Promise<WriteCounts> {
  if (rows.length === 0) return { written: 0, existing: 0, replaced: 0 };
  const inserted = await sql<{ inserted: number }>`
    with input as (${inputRows(rows)}),
    written as (
      insert into kpi_values (kpi_id, segment, period_start, value, source, received_at)
      select kpi_id, segment, period_start, value, source, ${now} from input
      on conflict (kpi_id, segment, period_start) do nothing
      returning 1
    )
    select count(*)::int as inserted from written
  `.execute(trx);
  const fresh = inserted.rows[0]?.inserted ?? 0;
  if (fresh === rows.length) return { written: rows.length, existing: 0, replaced: 0 };
  // Some existed: replace those. The rows just inserted are visible here with this very value, source
  // and time, so the filter leaves them out; so does a re-sent value identical in every respect.
  const result = await sql<{ replaced: number }>`
    with input as (${inputRows(rows)}),
    previous as (
      select v.kpi_id, v.segment, v.period_start, v.value, v.source, v.received_at, i.value as new_value, i.source as new_source
      from kpi_values v
      join input i on i.kpi_id = v.kpi_id and i.segment = v.segment and i.period_start = v.period_start
      where v.received_at <> ${now} or v.value <> i.value or v.source <> i.source
    ),
    history as (
      insert into kpi_value_history (kpi_id, segment, period_start, old_value, new_value, old_source, new_source, old_received_at, replaced_at)
      select kpi_id, segment, period_start, value, new_value, source, new_source, received_at, ${now}
      from previous where value <> new_value
      returning 1
    ),
    updated as (
      update kpi_values v set value = p.new_value, source = p.new_source, received_at = ${now}
      from previous p
      where v.kpi_id = p.kpi_id and v.segment = p.segment and v.period_start = p.period_start
      returning 1
    )
    select (select count(*)::int from updated) as updated, (select count(*)::int from history) as replaced
  `.execute(trx);
  return { written: rows.length, existing: rows.length - fresh, replaced: result.rows[0]?.replaced ?? 0 };
}

/** Locks the KPIs (in id order, so two ingests never deadlock) and marks them as having new values. */
export async function lockAndBumpKpis(trx: Transaction<Database>, kpiIds: string[]): Promise<void> {
  if (kpiIds.length === 0) return;
  const sorted = [...kpiIds].sort();
  // One KPI needs no ordering; several are locked in id order first, so two ingests never deadlock.
  if (sorted.length > 1) await trx.selectFrom('kpis').select('id').where('id', 'in', sorted).orderBy('id').forUpdate().execute();
  await trx
    .updateTable('kpis')
    .set({ values_version: sql`values_version + 1`, updated_at: sql`now()` })
    .where('id', 'in', sorted)
    .execute();
}

export async function valueHistory(db: Executor, kpiId: string, segment: string, period: string) {
  return db
    .selectFrom('kpi_value_history')
    .select(['old_value', 'new_value', 'old_source', 'new_source', 'replaced_at'])
    .where('kpi_id', '=', kpiId)
    .where('segment', '=', segment)
    .where(sql`period_start`, '=', sql`${period}::date`)
    .orderBy('id')
    .execute();
}

/** Where a journey's KPI alerts go: the journey's own channel, or the nearest ancestor's. */
export async function journeyChannelOf(db: Executor, journeyId: string): Promise<string | undefined> {
  const result = await sql<{ channel_conversation_id: string }>`
    ${journeyChainCte(sql`id = ${journeyId}`)}
    select channel_conversation_id from chain where channel_conversation_id is not null order by depth limit 1
  `.execute(db);
  return result.rows[0]?.channel_conversation_id;
}

/** Whether values arrived for the KPI since its alerts were last evaluated. */
export async function kpiHasUnevaluatedValues(db: Executor, kpiId: string): Promise<boolean> {
  const row = await db.selectFrom('kpis').select('id').where('id', '=', kpiId).whereRef('values_version', '>', 'alerts_evaluated_version').executeTakeFirst();
  return Boolean(row);
}

/** Every KPI of the organisation with its journey, in journey and KPI key order (the `kpi` list). */
export async function kpiIndex(db: Executor, orgId: string) {
  return db
    .selectFrom('kpis')
    .innerJoin('journeys', 'journeys.id', 'kpis.journey_id')
    .select(['journeys.key as journeyKey', 'journeys.name as journey', 'kpis.key'])
    .where('kpis.org_id', '=', orgId)
    .orderBy('journeys.key')
    .orderBy('kpis.key')
    .execute();
}

/** The key of the KPI named exactly so (any case). */
export async function kpiKeyByName(db: Executor, orgId: string, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('kpis').select('key').where('org_id', '=', orgId).where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase())).executeTakeFirst();
  return row?.key;
}

export async function journeyOf(db: Executor, journeyId: string) {
  return db.selectFrom('journeys').select(['key', 'name']).where('id', '=', journeyId).executeTakeFirstOrThrow();
}

export async function journeyInOrg(db: Executor, orgId: string, journeyId: string) {
  return db.selectFrom('journeys').select(['id', 'key', 'name']).where('id', '=', journeyId).where('org_id', '=', orgId).executeTakeFirst();
}

/** Up to five journeys whose key or name contains the text (for "did you mean"). */
export async function journeysLike(db: Executor, orgId: string, needle: string) {
  const plain = needle.replace(/[%_\\]/g, '');
  return db
    .selectFrom('journeys')
    .select(['key'])
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('key', 'like', `%${plain}%`), eb('name', 'ilike', `%${plain}%`)]))
    .limit(5)
    .execute();
}

/** Journey ids by key, for the journeys a KPI file names. */
export async function journeyIdsByKeys(db: Executor, orgId: string, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db.selectFrom('journeys').select(['id', 'key']).where('org_id', '=', orgId).where('key', 'in', keys).execute();
  return new Map(rows.map((j) => [j.key, j.id]));
}

export type KpiDefinition = Pick<Insertable<KpisTable>, 'journey_id' | 'name' | 'unit' | 'direction' | 'target' | 'warning' | 'breach' | 'cadence' | 'glossary_term' | 'glossary_term_id' | 'breach_periods' | 'remind_every_periods'>;

/** Creates or updates a KPI by key; true when it was created. New thresholds may change alert states: the version bump has them evaluated again. */
export async function upsertKpi(trx: Executor, orgId: string, key: string, values: KpiDefinition): Promise<boolean> {
  const result = await trx
    .insertInto('kpis')
    .values({ org_id: orgId, key, ...values })
    .onConflict((oc) => oc.columns(['org_id', 'key']).doUpdateSet({ ...values, values_version: sql`kpis.values_version + 1`, updated_at: sql`now()` }))
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow();
  return result.inserted;
}

/** Takes the KPIs' values as already evaluated (a backfill of history raises no alert about the past). */
export async function markValuesEvaluated(db: Executor, kpiIds: string[]): Promise<void> {
  await db.updateTable('kpis').set({ alerts_evaluated_version: sql`values_version` }).where('id', 'in', kpiIds).execute();
}

/** The id of the organisation's KPI with this key (the ingest API's path). */
export async function kpiIdByKey(db: Executor, orgId: string, key: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('kpis').select('id').where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst();
}
