// What an alert decision does, inside the segment's transaction: firing pings the journey owner
// and posts in the journey's channel, a reminder pings again unless the last ping is still open,
// recovery resolves the ping and updates the channel message. Each returns the outbox rows it wrote.
import { counted } from '../chat/words.js';
import type { PersonRef } from '../chat/card.js';
import { formatNumber } from '../charts/svg.js';
import { enqueueMessage } from '../delivery/outbox-repo.js';
import { holderFor } from '../journeys/owners.js';
import { createPing } from '../pings/service.js';
import { resolvePing } from '../pings/transitions.js';
import { personRef } from '../orgs/people.js';
import * as alerts from './alerts-repo.js';
import type { AlertRow } from './alerts-repo.js';
import { channelAlertCard, formatValue, recoveredCard, type AlertFacts } from './cards.js';
import { CADENCE_LABELS, periodLabel } from './periods.js';
import { journeyChannelOf, type Executor, type KpiRow } from './repo.js';
import { rulesOf } from './snapshot.js';
import { valueStatus, type AlertDecision, type Point } from './status.js';

function pingMessageText(facts: AlertFacts, reminder: boolean): string {
  const { kpi } = facts;
  const unit = CADENCE_LABELS[kpi.cadence].period;
  const segment = facts.segment === 'all' ? '' : ` (segment ${facts.segment})`;
  return [
    `${reminder ? 'Still breached' : 'KPI breached'} for ${counted(facts.periods, unit)}: ${kpi.name}${segment}, since ${periodLabel(kpi.cadence, facts.since)}.`,
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

export async function alertContext(db: Executor, kpi: KpiRow): Promise<AlertContext> {
  const name = await alerts.journeyName(db, kpi.journey_id);
  const holder = await holderFor(db, kpi.journey_id);
  return {
    kpi,
    journeyName: name ?? 'its journey',
    owner: holder ? await personRef(db, holder.personId) : undefined,
    channelId: await journeyChannelOf(db, kpi.journey_id),
  };
}

export function factsOf(context: AlertContext, segment: string, since: string, latest: Point, periods: number): AlertFacts {
  return { kpi: context.kpi, segment, journeyName: context.journeyName, since, latest, periods, owner: context.owner };
}

/** A ping an alert created, whose escalation is scheduled once its transaction committed. */
export interface NewPing {
  pingId: string;
  escalateAt: Date | null;
  created: boolean;
}

/** Applies one decision inside the segment's transaction; returns the outbox rows it wrote (and adds the pings it created to `pings`). */
export async function applyDecision(trx: Executor, context: AlertContext, segment: string, alert: AlertRow, decision: AlertDecision, now: Date, pings: NewPing[]): Promise<string[]> {
  switch (decision.kind) {
    case 'none':
      return [];
    case 'fire':
      return fire(trx, context, segment, alert, decision, now, pings);
    case 'remind':
      return remind(trx, context, segment, alert, decision, now, pings);
    case 'recover':
      return recover(trx, context, segment, alert, decision, now);
  }
}

async function fire(trx: Executor, context: AlertContext, segment: string, alert: AlertRow, decision: Extract<AlertDecision, { kind: 'fire' }>, now: Date, pings: NewPing[]): Promise<string[]> {
  const { kpi } = context;
  const outboxIds: string[] = [];
  const keyBase = `kpi-alert:${kpi.id}:${segment}`;
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
    await alerts.recordEvent(trx, { kpiId: kpi.id, segment, kind: 'fired', at: now, point: decision.latest, target: 'owner', outboxId: id });
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
      await alerts.recordEvent(trx, { kpiId: kpi.id, segment, kind: 'fired', at: now, point: decision.latest, target: 'channel', outboxId: channelOutboxId });
    }
  }
  await alerts.updateAlert(trx, kpi.id, segment, {
      state: 'breached',
      breach_since: decision.since,
      last_notified_period: decision.latest.period,
      muted: false,
      muted_by_person_id: null,
      ping_id: ping.pingId,
      channel_outbox_id: channelOutboxId ?? null,
      updated_at: now,
    });
  return outboxIds;
}

async function remind(trx: Executor, context: AlertContext, segment: string, alert: AlertRow, decision: Extract<AlertDecision, { kind: 'remind' }>, now: Date, pings: NewPing[]): Promise<string[]> {
  const { kpi } = context;
  const outboxIds: string[] = [];
  const keyBase = `kpi-alert:${kpi.id}:${segment}`;
  const since = alert.breach_since ?? decision.latest.period;
  // An unacknowledged ping is still on its way up the tree: a reminder would only say it twice.
  const open = alert.ping_id ? await alerts.pingStillOpen(trx, alert.ping_id) : false;
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
      await alerts.recordEvent(trx, { kpiId: kpi.id, segment, kind: 'reminded', at: now, point: decision.latest, target: 'owner', outboxId: id });
    }
  }
  await alerts.updateAlert(trx, kpi.id, segment, { last_notified_period: decision.latest.period, ping_id: pingId, updated_at: now });
  return outboxIds;
}

async function recover(trx: Executor, context: AlertContext, segment: string, alert: AlertRow, decision: Extract<AlertDecision, { kind: 'recover' }>, now: Date): Promise<string[]> {
  const { kpi } = context;
  const outboxIds: string[] = [];
  const keyBase = `kpi-alert:${kpi.id}:${segment}`;
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
    const target = await alerts.outboxTarget(trx, original);
    if (target) {
      const updated = await enqueueMessage(trx, {
        orgId: kpi.org_id,
        dedupeKey: `${keyBase}:${since}:recovered:${decision.latest.period}`,
        target,
        card: recoveredCard(facts, decision.latest, status),
        updateOfOutboxId: original,
      });
      if (updated) {
        outboxIds.push(updated);
        await alerts.recordEvent(trx, { kpiId: kpi.id, segment, kind: 'recovered', at: now, point: decision.latest, target: 'channel', outboxId: updated });
      }
    }
  } else {
    await alerts.recordEvent(trx, { kpiId: kpi.id, segment, kind: 'recovered', at: now, point: decision.latest });
  }
  await alerts.updateAlert(trx, kpi.id, segment, { state: 'ok', breach_since: null, last_notified_period: null, muted: false, muted_by_person_id: null, ping_id: null, channel_outbox_id: null, updated_at: now });
  return outboxIds;
}
