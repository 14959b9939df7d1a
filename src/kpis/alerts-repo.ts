// SQL of KPI alerts: one row per KPI and segment (its state, the ping and channel message it caused),
// the append-only event log, and what the evaluation and the undeliverable sweep read.
import { sql, type Selectable, type Updateable } from 'kysely';
import type { Point } from './status.js';
import type { Executor } from './repo.js';
import type { AlertEventKind, KpiAlertsTable } from './tables.js';

/** An alert row as the evaluation reads it (dates as text, see tables.ts). */
export type AlertRow = Pick<Selectable<KpiAlertsTable>, 'state' | 'breach_since' | 'last_notified_period' | 'muted' | 'channel_outbox_id' | 'ping_id'>;

/** The segment's alert row (created when missing), locked until the transaction ends. */
export async function lockAlert(trx: Executor, kpiId: string, segment: string): Promise<AlertRow> {
  await trx.insertInto('kpi_alerts').values({ kpi_id: kpiId, segment }).onConflict((oc) => oc.columns(['kpi_id', 'segment']).doNothing()).execute();
  return trx
    .selectFrom('kpi_alerts')
    .select([
      'state',
      sql<string | null>`breach_since::text`.as('breach_since'),
      sql<string | null>`last_notified_period::text`.as('last_notified_period'),
      'muted',
      'channel_outbox_id',
      'ping_id',
    ])
    .where('kpi_id', '=', kpiId)
    .where('segment', '=', segment)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** The alert row for muting, locked; none when the segment never had an alert. */
export async function lockAlertIfAny(trx: Executor, kpiId: string, segment: string) {
  return trx
    .selectFrom('kpi_alerts')
    .select(['state', 'muted', sql<string | null>`breach_since::text`.as('breach_since')])
    .where('kpi_id', '=', kpiId)
    .where('segment', '=', segment)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateAlert(trx: Executor, kpiId: string, segment: string, set: Updateable<KpiAlertsTable>): Promise<void> {
  await trx.updateTable('kpi_alerts').set(set).where('kpi_id', '=', kpiId).where('segment', '=', segment).execute();
}

/** Every segment's alert state of a KPI, for the first pass of an evaluation. */
export async function alertStates(db: Executor, kpiId: string) {
  return db
    .selectFrom('kpi_alerts')
    .select(['segment', 'state', sql<string | null>`last_notified_period::text`.as('last_notified_period'), 'muted'])
    .where('kpi_id', '=', kpiId)
    .execute();
}

export async function latestPoints(trx: Executor, kpiId: string, segment: string, count: number): Promise<Point[]> {
  return trx
    .selectFrom('kpi_values')
    .select([sql<string>`period_start::text`.as('period'), 'value'])
    .where('kpi_id', '=', kpiId)
    .where('segment', '=', segment)
    .orderBy('period_start', 'desc')
    .limit(count)
    .execute();
}

export interface AlertEvent {
  kpiId: string;
  segment: string;
  kind: Exclude<AlertEventKind, 'undeliverable'>;
  at: Date;
  point?: Point;
  target?: 'owner' | 'channel' | 'admin';
  outboxId?: string;
  by?: string;
}

export async function recordEvent(trx: Executor, row: AlertEvent): Promise<void> {
  await trx
    .insertInto('kpi_alert_events')
    .values({
      kpi_id: row.kpiId,
      segment: row.segment,
      kind: row.kind,
      period_start: row.point?.period ?? null,
      value: row.point?.value ?? null,
      target: row.target ?? null,
      outbox_id: row.outboxId ?? null,
      by_person_id: row.by ?? null,
      at: row.at,
    })
    .execute();
}

/** Whether the alert's ping is still on its way up the tree (sent or snoozed). */
export async function pingStillOpen(trx: Executor, pingId: string): Promise<boolean> {
  const row = await trx.selectFrom('pings').select('state').where('id', '=', pingId).where('state', 'in', ['sent', 'snoozed']).executeTakeFirst();
  return row !== undefined;
}

/** Where an outbox message went (to update it in place). */
export async function outboxTarget(trx: Executor, outboxId: string) {
  return (await trx.selectFrom('outbox').select('target').where('id', '=', outboxId).executeTakeFirst())?.target;
}

export async function journeyName(db: Executor, journeyId: string): Promise<string | undefined> {
  return (await db.selectFrom('journeys').select('name').where('id', '=', journeyId).executeTakeFirst())?.name;
}

export async function valuesVersion(db: Executor, kpiId: string): Promise<number | undefined> {
  return (await db.selectFrom('kpis').select('values_version').where('id', '=', kpiId).executeTakeFirst())?.values_version;
}

export async function markEvaluated(db: Executor, kpiId: string, version: number): Promise<void> {
  await db.updateTable('kpis').set({ alerts_evaluated_version: version }).where('id', '=', kpiId).where('alerts_evaluated_version', '<', version).execute();
}

export async function kpisWithUnevaluatedValues(db: Executor, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('kpis').select('id').where(sql<boolean>`values_version > alerts_evaluated_version`).limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Alert messages to owners and channels since `since` that the outbox gave up on and nobody was told of yet. */
export async function failedAlertMessages(db: Executor, since: Date, limit: number) {
  return db
    .selectFrom('kpi_alert_events as e')
    .innerJoin('outbox as o', 'o.id', 'e.outbox_id')
    .innerJoin('kpis as k', 'k.id', 'e.kpi_id')
    .select(['e.kpi_id', 'e.segment', 'e.target', 'e.outbox_id', 'o.last_error', sql<string | null>`e.period_start::text`.as('period'), 'e.value', 'k.org_id'])
    .where('e.at', '>', since)
    .where('e.target', 'in', ['owner', 'channel'])
    .where('o.status', '=', 'failed')
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('kpi_alert_events as u').select('u.id').where('u.kind', '=', 'undeliverable').whereRef('u.outbox_id', '=', 'e.outbox_id'))),
    )
    .limit(limit)
    .execute();
}

export type FailedAlertMessage = Awaited<ReturnType<typeof failedAlertMessages>>[number];

/** Records that admins are told of a failed message; false when another sweep already claimed it (unique index). */
export async function claimUndeliverable(trx: Executor, row: FailedAlertMessage, at: Date): Promise<boolean> {
  const claimed = await trx
    .insertInto('kpi_alert_events')
    .values({ kpi_id: row.kpi_id, segment: row.segment, kind: 'undeliverable', target: 'admin', outbox_id: row.outbox_id, period_start: row.period, value: row.value, at })
    .onConflict((oc) => oc.column('outbox_id').where(sql<boolean>`kind = 'undeliverable'`).doNothing())
    .returning('id')
    .executeTakeFirst();
  return claimed !== undefined;
}
