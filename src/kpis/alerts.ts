// KPI alerts, evaluated after new values arrive (one job per KPI) and by a sweep. Per KPI and segment
// the state is ok or breached; only a change of state does something: a breach that has lasted the
// KPI's breach periods pings the journey's accountable owner (a journey ping, with Acknowledge /
// Snooze / Escalate) and posts in the journey's channel; while it lasts the owner is reminded every
// few periods unless muted; recovery resolves the ping and edits the channel message in place. Every
// message goes through the outbox in the transaction that changes the state, under dedupe keys, so a
// second run or a second worker sends nothing twice.
import { sql, type Transaction } from 'kysely';
import type { Card, PersonRef } from '../chat/card.js';
import { formatNumber } from '../charts/svg.js';
import { InvalidInput, PermissionDenied } from '../chat/errors.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Database } from '../db/tables.js';
import { enqueueMessage } from '../delivery/outbox.js';
import { holderFor } from '../journeys/owners.js';
import { createPing, resolvePing } from '../journeys/pings.js';
import type { Logger } from '../log.js';
import { personRef } from '../orgs/people.js';
import * as orgsRepo from '../orgs/repo.js';
import { hasRole, type Actor } from '../chat/actor.js';
import { channelAlertCard, formatValue, mutedCard, recoveredCard, undeliverableCard, type AlertFacts } from './cards.js';
import { CADENCE_LABELS, periodLabel } from './periods.js';
import { findKpi, journeyChannelOf, recentValuesBySegment, type KpiRow } from './repo.js';
import { rulesOf } from './snapshot.js';
import { decideAlert, valueStatus, type AlertDecision, type Point } from './status.js';

export interface AlertDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  kickDelivery(outboxIds: string[]): void;
  /** Schedules a new ping's escalation job (as `journey ping` does); without it the escalation sweep finds the ping, up to a sweep later. */
  scheduleEscalation?(pingId: string, at: Date): void;
}

type Trx = Transaction<Database>;

interface AlertRow {
  state: 'ok' | 'breached';
  breach_since: string | null;
  last_notified_period: string | null;
  muted: boolean;
  channel_outbox_id: number | string | null;
  ping_id: string | null;
}

async function lockAlert(trx: Trx, kpiId: string, segment: string): Promise<AlertRow> {
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

async function latestPoints(trx: Trx, kpiId: string, segment: string, count: number): Promise<Point[]> {
  const rows = await trx
    .selectFrom('kpi_values')
    .select([sql<string>`period_start::text`.as('period'), 'value'])
    .where('kpi_id', '=', kpiId)
    .where('segment', '=', segment)
    .orderBy('period_start', 'desc')
    .limit(count)
    .execute();
  return rows;
}

async function recordEvent(
  trx: Trx,
  row: { kpiId: string; segment: string; kind: 'fired' | 'reminded' | 'recovered' | 'muted' | 'undeliverable'; at: Date; point?: Point; target?: 'owner' | 'channel' | 'admin'; outboxId?: string; by?: string },
): Promise<void> {
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

function pingMessageText(facts: AlertFacts, reminder: boolean): string {
  const { kpi } = facts;
  const unit = CADENCE_LABELS[kpi.cadence].period;
  const segment = facts.segment === 'all' ? '' : ` (segment ${facts.segment})`;
  return [
    `${reminder ? 'Still breached' : 'KPI breached'} for ${facts.periods} ${unit}${facts.periods === 1 ? '' : 's'}: ${kpi.name}${segment}, since ${periodLabel(kpi.cadence, facts.since)}.`,
    `Latest ${formatValue(facts.latest.value, kpi.unit)} (${periodLabel(kpi.cadence, facts.latest.period)}); target ${formatValue(kpi.target, kpi.unit)}, breached ${kpi.direction === 'higher' ? 'at or below' : 'at or above'} ${formatNumber(kpi.breach)}.`,
    `Details: kpi ${kpi.key}${facts.segment === 'all' ? '' : ` ${facts.segment}`} · mute reminders until it recovers: kpi mute ${kpi.key}${facts.segment === 'all' ? '' : ` ${facts.segment}`}`,
  ].join('\n');
}

export interface AlertContext {
  kpi: KpiRow;
  journeyName: string;
  owner: PersonRef | undefined;
  channelId: string | undefined;
}

export async function alertContext(db: Db | Trx, kpi: KpiRow): Promise<AlertContext> {
  const journey = await db.selectFrom('journeys').select('name').where('id', '=', kpi.journey_id).executeTakeFirst();
  const holder = await holderFor(db, kpi.journey_id);
  return {
    kpi,
    journeyName: journey?.name ?? 'its journey',
    owner: holder ? await personRef(db, holder.personId) : undefined,
    channelId: await journeyChannelOf(db, kpi.journey_id),
  };
}

function factsOf(context: AlertContext, segment: string, since: string, latest: Point, periods: number): AlertFacts {
  return { kpi: context.kpi, segment, journeyName: context.journeyName, since, latest, periods, owner: context.owner };
}

/** A ping an alert created, whose escalation is scheduled once its transaction committed. */
interface NewPing {
  pingId: string;
  escalateAt: Date | null;
  created: boolean;
}

/** Applies one decision inside the segment's transaction; returns the outbox rows it wrote (and adds the pings it created to `pings`). */
async function apply(trx: Trx, context: AlertContext, segment: string, alert: AlertRow, decision: AlertDecision, now: Date, pings: NewPing[]): Promise<string[]> {
  const { kpi } = context;
  const outboxIds: string[] = [];
  const keyBase = `kpi-alert:${kpi.id}:${segment}`;
  switch (decision.kind) {
    case 'none':
      return [];
    case 'fire': {
      const facts = factsOf(context, segment, decision.since, decision.latest, decision.periods);
      const ping = await createPing(trx, {
        orgId: kpi.org_id,
        journeyId: kpi.journey_id,
        fromPersonId: null,
        reason: 'kpi',
        message: pingMessageText(facts, false),
        dedupeKey: `${keyBase}:${decision.since}:breach`,
        now,
      });
      pings.push(ping);
      for (const id of ping.outboxIds) {
        outboxIds.push(id);
        await recordEvent(trx, { kpiId: kpi.id, segment, kind: 'fired', at: now, point: decision.latest, target: 'owner', outboxId: id });
      }
      let channelOutboxId: string | undefined;
      if (context.channelId) {
        channelOutboxId = await enqueueMessage(trx, {
          orgId: kpi.org_id,
          dedupeKey: `${keyBase}:${decision.since}:channel`,
          target: { kind: 'conversation', conversationId: context.channelId },
          card: channelAlertCard(facts),
        });
        if (channelOutboxId) {
          outboxIds.push(channelOutboxId);
          await recordEvent(trx, { kpiId: kpi.id, segment, kind: 'fired', at: now, point: decision.latest, target: 'channel', outboxId: channelOutboxId });
        }
      }
      await trx
        .updateTable('kpi_alerts')
        .set({
          state: 'breached',
          breach_since: decision.since,
          last_notified_period: decision.latest.period,
          muted: false,
          muted_by_person_id: null,
          ping_id: ping.pingId,
          channel_outbox_id: channelOutboxId ?? null,
          updated_at: now,
        })
        .where('kpi_id', '=', kpi.id)
        .where('segment', '=', segment)
        .execute();
      return outboxIds;
    }
    case 'remind': {
      const since = alert.breach_since ?? decision.latest.period;
      // An unacknowledged ping is still on its way up the tree: a reminder would only say it twice.
      const open = alert.ping_id
        ? await trx.selectFrom('pings').select('state').where('id', '=', alert.ping_id).where('state', 'in', ['sent', 'snoozed']).executeTakeFirst()
        : undefined;
      let pingId = alert.ping_id;
      if (!open) {
        const facts = factsOf(context, segment, since, decision.latest, decision.periods);
        const ping = await createPing(trx, {
          orgId: kpi.org_id,
          journeyId: kpi.journey_id,
          fromPersonId: null,
          reason: 'kpi',
          message: pingMessageText(facts, true),
          dedupeKey: `${keyBase}:${since}:remind:${decision.latest.period}`,
          now,
        });
        pings.push(ping);
        pingId = ping.pingId;
        for (const id of ping.outboxIds) {
          outboxIds.push(id);
          await recordEvent(trx, { kpiId: kpi.id, segment, kind: 'reminded', at: now, point: decision.latest, target: 'owner', outboxId: id });
        }
      }
      await trx
        .updateTable('kpi_alerts')
        .set({ last_notified_period: decision.latest.period, ping_id: pingId, updated_at: now })
        .where('kpi_id', '=', kpi.id)
        .where('segment', '=', segment)
        .execute();
      return outboxIds;
    }
    case 'recover': {
      const since = alert.breach_since ?? decision.latest.period;
      const facts = factsOf(context, segment, since, decision.latest, 0);
      const status = valueStatus(rulesOf(kpi), decision.latest.value);
      if (alert.ping_id) {
        const resolved = await resolvePing(trx, {
          orgId: kpi.org_id,
          pingId: alert.ping_id,
          now,
          note: `${kpi.name} recovered: ${formatValue(decision.latest.value, kpi.unit)} in ${periodLabel(kpi.cadence, decision.latest.period)}.`,
        });
        outboxIds.push(...resolved.outboxIds);
      }
      if (alert.channel_outbox_id !== null) {
        const original = String(alert.channel_outbox_id);
        const target = await trx.selectFrom('outbox').select('target').where('id', '=', original).executeTakeFirst();
        if (target) {
          const updated = await enqueueMessage(trx, {
            orgId: kpi.org_id,
            dedupeKey: `${keyBase}:${since}:recovered:${decision.latest.period}`,
            target: target.target,
            card: recoveredCard(facts, decision.latest, status),
            updateOfOutboxId: original,
          });
          if (updated) {
            outboxIds.push(updated);
            await recordEvent(trx, { kpiId: kpi.id, segment, kind: 'recovered', at: now, point: decision.latest, target: 'channel', outboxId: updated });
          }
        }
      } else {
        await recordEvent(trx, { kpiId: kpi.id, segment, kind: 'recovered', at: now, point: decision.latest });
      }
      await trx
        .updateTable('kpi_alerts')
        .set({ state: 'ok', breach_since: null, last_notified_period: null, muted: false, muted_by_person_id: null, ping_id: null, channel_outbox_id: null, updated_at: now })
        .where('kpi_id', '=', kpi.id)
        .where('segment', '=', segment)
        .execute();
      return outboxIds;
    }
  }
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
  const version = await deps.db.selectFrom('kpis').select('values_version').where('id', '=', kpiId).executeTakeFirst();
  const rules = { ...rulesOf(kpi), breachPeriods: kpi.breach_periods, remindEveryPeriods: kpi.remind_every_periods };
  // A first pass over every segment in two queries; only segments where something happens get a
  // transaction, in which the decision is made again under the alert row's lock.
  const [bySegment, states] = await Promise.all([
    recentValuesBySegment(deps.db, kpi.id, kpi.breach_periods + 1, MAX_ALERT_SEGMENTS),
    deps.db
      .selectFrom('kpi_alerts')
      .select(['segment', 'state', sql<string | null>`last_notified_period::text`.as('last_notified_period'), 'muted'])
      .where('kpi_id', '=', kpi.id)
      .execute(),
  ]);
  const stateOf = new Map(states.map((s) => [s.segment, { state: s.state, lastNotifiedPeriod: s.last_notified_period, muted: s.muted }]));
  const candidates = [...bySegment].filter(([segment, points]) => decideAlert(rules, points, stateOf.get(segment) ?? { state: 'ok', lastNotifiedPeriod: null, muted: false }).kind !== 'none');
  if (candidates.length === 0) {
    await markEvaluated(deps.db, kpiId, version?.values_version);
    return result;
  }
  const context = await alertContext(deps.db, kpi);
  const now = deps.clock.now();
  for (const [segment] of candidates) {
    const pings: NewPing[] = [];
    const ids = await deps.db.transaction().execute(async (trx) => {
      const alert = await lockAlert(trx, kpi.id, segment);
      const points = await latestPoints(trx, kpi.id, segment, kpi.breach_periods + 1);
      const decision = decideAlert(rules, points, { state: alert.state, lastNotifiedPeriod: alert.last_notified_period, muted: alert.muted });
      if (decision.kind !== 'none') result.decisions.push({ segment, kind: decision.kind });
      return apply(trx, context, segment, alert, decision, now, pings);
    });
    result.outboxIds.push(...ids);
    for (const ping of pings) if (ping.created && ping.escalateAt) deps.scheduleEscalation?.(ping.pingId, ping.escalateAt);
  }
  await markEvaluated(deps.db, kpiId, version?.values_version);
  if (result.outboxIds.length) deps.kickDelivery(result.outboxIds);
  if (result.decisions.length) deps.log.info({ kpi: kpi.key, decisions: result.decisions }, 'KPI alerts evaluated');
  return result;
}

/** Segments looked at per KPI; a KPI with more is evaluated for the first ones by name. */
const MAX_ALERT_SEGMENTS = 1_000;

async function markEvaluated(db: Db, kpiId: string, version: number | undefined): Promise<void> {
  if (version === undefined) return;
  await db.updateTable('kpis').set({ alerts_evaluated_version: version }).where('id', '=', kpiId).where('alerts_evaluated_version', '<', version).execute();
}

/** KPIs with values their alerts have not been evaluated for: what the sweep re-enqueues. */
export async function kpisAwaitingEvaluation(db: Db, limit = 500): Promise<string[]> {
  const rows = await db.selectFrom('kpis').select('id').where(sql<boolean>`values_version > alerts_evaluated_version`).limit(limit).execute();
  return rows.map((r) => r.id);
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
  const failed = await deps.db
    .selectFrom('kpi_alert_events as e')
    .innerJoin('outbox as o', 'o.id', 'e.outbox_id')
    .innerJoin('kpis as k', 'k.id', 'e.kpi_id')
    .select(['e.kpi_id', 'e.segment', 'e.target', 'e.outbox_id', 'o.last_error', sql<string | null>`e.period_start::text`.as('period'), 'e.value', 'k.org_id'])
    .where('e.at', '>', new Date(now.getTime() - UNDELIVERABLE_WINDOW_MS))
    .where('e.target', 'in', ['owner', 'channel'])
    .where('o.status', '=', 'failed')
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('kpi_alert_events as u').select('u.id').where('u.kind', '=', 'undeliverable').whereRef('u.outbox_id', '=', 'e.outbox_id'))),
    )
    .limit(100)
    .execute();
  let reported = 0;
  for (const row of failed) {
    const kpi = await findKpi(deps.db, row.kpi_id);
    if (!kpi || row.outbox_id === null) continue;
    const context = await alertContext(deps.db, kpi);
    const point = row.period !== null && row.value !== null ? { period: row.period, value: row.value } : undefined;
    const reason = `${row.target === 'channel' ? 'the message to the journey channel' : 'the message to the owner'} failed (${row.last_error ?? 'no reason given'})`;
    const ids = await deps.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('kpi_alert_events')
        .values({ kpi_id: row.kpi_id, segment: row.segment, kind: 'undeliverable', target: 'admin', outbox_id: row.outbox_id, period_start: row.period, value: row.value, at: now })
        .onConflict((oc) => oc.column('outbox_id').where(sql<boolean>`kind = 'undeliverable'`).doNothing())
        .returning('id')
        .executeTakeFirst();
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

/** Mutes reminders until the KPI recovers: the accountable owner, their deputy or an admin only. */
export async function muteAlert(deps: AlertDeps, actor: Actor, kpi: KpiRow, segment: string): Promise<Card> {
  const holder = await holderFor(deps.db, kpi.journey_id);
  const allowed = hasRole(actor, 'admin') || holder?.personId === actor.personId || holder?.deputyPersonId === actor.personId;
  if (!allowed) throw new PermissionDenied(`Only the owner of the journey (or their deputy, or an admin) can mute the alerts of ${kpi.key}. Nothing was changed.`);
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const alert = await trx
      .selectFrom('kpi_alerts')
      .select(['state', 'muted', sql<string | null>`breach_since::text`.as('breach_since')])
      .where('kpi_id', '=', kpi.id)
      .where('segment', '=', segment)
      .forUpdate()
      .executeTakeFirst();
    if (!alert || alert.state !== 'breached' || !alert.breach_since) {
      throw new InvalidInput(`${kpi.key}${segment === 'all' ? '' : ` (segment ${segment})`} is not in breach, so there is nothing to mute. Nothing was changed.`);
    }
    const context = await alertContext(trx, kpi);
    const latest = (await latestPoints(trx, kpi.id, segment, 1))[0] ?? { period: alert.breach_since, value: Number.NaN };
    const facts = factsOf(context, segment, alert.breach_since, latest, 0);
    if (!alert.muted) {
      await trx.updateTable('kpi_alerts').set({ muted: true, muted_by_person_id: actor.personId, updated_at: now }).where('kpi_id', '=', kpi.id).where('segment', '=', segment).execute();
      await recordEvent(trx, { kpiId: kpi.id, segment, kind: 'muted', at: now, point: latest, by: actor.personId });
    }
    return mutedCard(facts, await personRef(trx, actor.personId), !alert.muted);
  });
}
