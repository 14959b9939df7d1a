// KPI alerts, evaluated after new values arrive (one job per KPI) and by a sweep. Per KPI and segment
// the state is ok or breached; only a change of state does something: a breach that has lasted the
// KPI's breach periods pings the journey's accountable owner (a journey ping, with Acknowledge /
// Snooze / Escalate) and posts in the journey's channel; while it lasts the owner is reminded every
// few periods unless muted; recovery resolves the ping and edits the channel message in place. Every
// message goes through the outbox in the transaction that changes the state, under dedupe keys, so a
// second run or a second worker sends nothing twice.
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { enqueueMessage } from '../delivery/outbox-repo.js';
import type { Logger } from '../log.js';
import * as orgsRepo from '../orgs/repo.js';
import { alertContext, applyDecision, type NewPing } from './alert-actions.js';
import * as alerts from './alerts-repo.js';
import { undeliverableCard } from './cards.js';
import { findKpi, recentValuesBySegment } from './repo.js';
import { rulesOf } from './snapshot.js';
import { decideAlert, type AlertDecision } from './status.js';

export interface AlertDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  kickDelivery(outboxIds: string[]): void;
  /** Schedules a new ping's escalation job (as `journey ping` does); without it the escalation sweep finds the ping, up to a sweep later. */
  scheduleEscalation?(pingId: string, at: Date): void;
}

export interface EvaluationResult {
  /** What happened per segment (segments where nothing happened are left out). */
  decisions: { segment: string; kind: AlertDecision['kind'] }[];
  outboxIds: string[];
}

/** Evaluates every segment of one KPI; safe to run twice or on two workers at once. */
export async function evaluateKpiAlerts(deps: AlertDeps, kpiId: string): Promise<EvaluationResult> {
  const kpi = await findKpi(deps.db, kpiId);
  const result: EvaluationResult = { decisions: [], outboxIds: [] };
  if (!kpi) return result;
  const version = await alerts.valuesVersion(deps.db, kpiId);
  const rules = { ...rulesOf(kpi), breachPeriods: kpi.breach_periods, remindEveryPeriods: kpi.remind_every_periods };
  // A first pass over every segment in two queries; only segments where something happens get a
  // transaction, in which the decision is made again under the alert row's lock.
  const [bySegment, states] = await Promise.all([
    recentValuesBySegment(deps.db, kpi.id, kpi.breach_periods + 1, MAX_ALERT_SEGMENTS),
    alerts.alertStates(deps.db, kpi.id),
  ]);
  const stateOf = new Map(states.map((s) => [s.segment, { state: s.state, lastNotifiedPeriod: s.last_notified_period, muted: s.muted }]));
  const candidates = [...bySegment].filter(([segment, points]) => decideAlert(rules, points, stateOf.get(segment) ?? { state: 'ok', lastNotifiedPeriod: null, muted: false }).kind !== 'none');
  if (candidates.length === 0) {
    await markEvaluated(deps.db, kpiId, version);
    return result;
  }
  const context = await alertContext(deps.db, kpi);
  const now = deps.clock.now();
  for (const [segment] of candidates) {
    const pings: NewPing[] = [];
    const ids = await deps.db.transaction().execute(async (trx) => {
      const alert = await alerts.lockAlert(trx, kpi.id, segment);
      const points = await alerts.latestPoints(trx, kpi.id, segment, kpi.breach_periods + 1);
      const decision = decideAlert(rules, points, { state: alert.state, lastNotifiedPeriod: alert.last_notified_period, muted: alert.muted });
      if (decision.kind !== 'none') result.decisions.push({ segment, kind: decision.kind });
      return applyDecision(trx, context, segment, alert, decision, now, pings);
    });
    result.outboxIds.push(...ids);
    for (const ping of pings) if (ping.created && ping.escalateAt) deps.scheduleEscalation?.(ping.pingId, ping.escalateAt);
  }
  await markEvaluated(deps.db, kpiId, version);
  if (result.outboxIds.length) deps.kickDelivery(result.outboxIds);
  if (result.decisions.length) deps.log.info({ kpi: kpi.key, decisions: result.decisions }, 'KPI alerts evaluated');
  return result;
}

/** Segments looked at per KPI; a KPI with more is evaluated for the first ones by name. */
const MAX_ALERT_SEGMENTS = 1_000;

async function markEvaluated(db: Db, kpiId: string, version: number | undefined): Promise<void> {
  if (version === undefined) return;
  await alerts.markEvaluated(db, kpiId, version);
}

/** KPIs with values their alerts have not been evaluated for: what the sweep re-enqueues. */
export async function kpisAwaitingEvaluation(db: Db, limit = 500): Promise<string[]> {
  return alerts.kpisWithUnevaluatedValues(db, limit);
}

/** How long after an alert message its failure is still reported. */
const UNDELIVERABLE_WINDOW_MS = 14 * 86_400_000;

/**
 * Tells the admins about alert messages the outbox gave up on (the owner never used Steward, the
 * channel is gone, …), once per message: the unique index on undeliverable events makes a second
 * sweep, or a second worker, a no-op.
 */
export async function reportUndeliverable(deps: AlertDeps): Promise<number> {
  const now = deps.clock.now();
  const failed = await alerts.failedAlertMessages(deps.db, new Date(now.getTime() - UNDELIVERABLE_WINDOW_MS), 100);
  let reported = 0;
  for (const row of failed) {
    const kpi = await findKpi(deps.db, row.kpi_id);
    if (!kpi || row.outbox_id === null) continue;
    const context = await alertContext(deps.db, kpi);
    const point = row.period !== null && row.value !== null ? { period: row.period, value: row.value } : undefined;
    const reason = `${row.target === 'channel' ? 'the message to the journey channel' : 'the message to the owner'} failed (${row.last_error ?? 'no reason given'})`;
    const ids = await deps.db.transaction().execute(async (trx) => {
      const claimed = await alerts.claimUndeliverable(trx, row, now);
      if (!claimed) return [];
      const admins = await orgsRepo.peopleWithRole(trx, row.org_id, 'admin');
      const out: string[] = [];
      for (const admin of admins) {
        const id = await enqueueMessage(trx, {
          orgId: row.org_id,
          dedupeKey: `kpi-undeliverable:${String(row.outbox_id)}:${admin.id}`,
          target: { kind: 'person', personId: admin.id },
          card: undeliverableCard({ kpi, journeyName: context.journeyName, segment: row.segment, point }, reason),
        });
        if (id) out.push(id);
      }
      return out;
    });
    if (ids.length) {
      reported++;
      deps.kickDelivery(ids);
    }
  }
  return reported;
}
