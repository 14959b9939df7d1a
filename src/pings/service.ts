// Owner pings: sent to a journey's accountable owner, acknowledged, snoozed or escalated up the tree.
//
// For other capabilities (KPI alerts), the stable entry points are:
//
//   createPing(trx, { orgId, journeyId, fromPersonId: string | null, reason: 'manual' | 'kpi',
//                     message, dedupeKey, now }) → { pingId, outboxIds, created, escalateAt }
//     Inside your own transaction. Sends the accountable owner (and deputy) a direct message with
//     Acknowledge / Snooze 1 day / Escalate; with no owner up the tree, the admins. The same
//     dedupeKey twice returns the first ping (created: false, no new messages). After commit, call
//     services.kickDelivery(outboxIds) and, for a created ping, schedule its escalation job at
//     escalateAt (the escalation sweep finds a ping whose job was lost, up to a sweep later).
//
//   resolvePing(trx, { orgId, pingId, now, note?, byPersonId? }) → { outboxIds, resolved }
//     E.g. when the KPI recovers: the ping's messages are updated in place to say so and the sender
//     (if any) is told. Resolving twice is harmless. After commit, kickDelivery(outboxIds).
//
//   openPingsForDigest(db, orgId) → unacknowledged pings, for the weekly digest.
//
// Every change of state is one conditional UPDATE (… WHERE version = read version AND state IN …):
// when an acknowledgement and an escalation race, exactly one of them changes the row, and only that
// one writes its history event and its messages (in the same transaction). The buttons and the
// escalation worker's steps live in transitions.ts, the pieces they share in steps.ts, the SQL in repo.ts.
import { InvalidInput, NotFound, PermissionDenied } from '../chat/errors.js';
import { hasRole, type Actor } from '../chat/actor.js';
import { isOpen, loadPingView, type PingView } from './view.js';
import { holderFor } from '../journeys/owners.js';
import * as repo from './repo.js';
import { recipientsOf, sendRound, viewOf } from './steps.js';
import { journeyById, type Executor } from '../journeys/repo.js';
import { pingMessage } from '../journeys/schema.js';
import { delayMs, escalationDelayHours } from '../journeys/settings.js';
import type { PingReason } from '../journeys/tables.js';

export interface CreatePingInput {
  orgId: string;
  journeyId: string;
  /** The person who pings; null when Steward raises it (a KPI alert). */
  fromPersonId: string | null;
  reason: PingReason;
  message: string;
  /** Unique per organisation for one cause, e.g. `kpi:nps:2025-W20:breach`. */
  dedupeKey: string;
  /** services.clock.now(): escalation is due the organisation's delay after this. */
  now: Date;
}

export interface CreatePingResult {
  pingId: string;
  outboxIds: string[];
  /** False when a ping with this dedupeKey existed already (nothing new was sent). */
  created: boolean;
  escalateAt: Date | null;
}

export async function createPing(trx: Executor, input: CreatePingInput): Promise<CreatePingResult> {
  const message = pingMessage.safeParse(input.message);
  if (!message.success) throw new InvalidInput(`The ping needs ${message.error.issues[0]?.message ?? 'a message'}. Nothing was sent.`);
  const existing = await repo.pingByDedupeKey(trx, input.orgId, input.dedupeKey);
  if (existing) return { pingId: existing.id, outboxIds: [], created: false, escalateAt: existing.escalate_at };
  const journey = await journeyById(trx, input.orgId, input.journeyId);
  if (!journey) throw new NotFound('That journey does not exist (any more). Nothing was sent.');

  const holder = await holderFor(trx, journey.id);
  const delayHours = await escalationDelayHours(trx, input.orgId);
  const escalateAt = new Date(input.now.getTime() + delayMs(delayHours));
  const inserted = await repo.insertPing(trx, {
    org_id: input.orgId,
    journey_id: journey.id,
    reason: input.reason,
    message: message.data,
    from_person_id: input.fromPersonId,
    dedupe_key: input.dedupeKey,
    holder_person_id: holder?.personId ?? null,
    holder_journey_id: holder?.journeyId ?? null,
    escalate_at: escalateAt,
    created_at: input.now,
    updated_at: input.now,
  });
  if (!inserted) {
    // The same cause raced us to it: the first ping stands.
    const first = await repo.pingByDedupeKey(trx, input.orgId, input.dedupeKey);
    if (!first) throw new Error('a ping that raced this one vanished');
    return { pingId: first.id, outboxIds: [], created: false, escalateAt: first.escalate_at };
  }
  const recipients = await recipientsOf(trx, inserted, holder);
  const view = await viewOf(trx, inserted.id);
  const { sent } = await sendRound(trx, { view, recipients, eventKind: 'sent' }, input.now);
  return { pingId: inserted.id, outboxIds: sent, created: true, escalateAt };
}



/** May this person act on the ping's buttons right now (the holder, the deputy, an admin)? */
export function mayActOn(view: PingView, actor: Actor): boolean {
  const holderSide = hasRole(actor, 'admin') || view.holder?.personId === actor.personId || view.deputy?.personId === actor.personId;
  if (isOpen(view.ping)) return holderSide;
  // An acknowledged ping can still be marked resolved, by them or by the person who sent it.
  return view.ping.state === 'acknowledged' && (holderSide || view.ping.from_person_id === actor.personId);
}

/** The ping as its card shows it, if it is of the actor's organisation. */
export async function pingViewFor(db: Executor, actor: Actor, pingId: string): Promise<PingView> {
  const view = await loadPingView(db, pingId);
  if (!view || view.ping.org_id !== actor.orgId) throw new NotFound('That ping no longer exists.');
  return view;
}

/** Opening a ping's card: only the people it is with, its sender and admins. */
export async function openPing(db: Executor, actor: Actor, pingId: string): Promise<{ view: PingView; live: boolean }> {
  const view = await pingViewFor(db, actor, pingId);
  const live = mayActOn(view, actor);
  if (!live && view.ping.from_person_id !== actor.personId) throw new PermissionDenied('Only the people a ping is with, its sender and admins can open it.');
  return { view, live };
}

export interface FirstOutcome {
  delivered: { personId: string; platform: 'slack' | 'teams' }[];
  failed: { personId: string; reason: string }[];
  /** Still on their way (being looked up by e-mail, waiting for the platform). */
  pending: string[];
}

/**
 * Where a new ping's messages stand, waiting up to `waitMs` for the delivery worker to know (it finds
 * people known only by e-mail first): the sender is told what is known, not what is hoped.
 */
export async function firstOutcome(db: Executor, pingId: string, waitMs: number): Promise<FirstOutcome> {
  const until = Date.now() + waitMs;
  for (;;) {
    const rows = await repo.messageOutcomes(db, pingId);
    const settled = rows.every((r) => r.status === 'delivered' || r.status === 'failed');
    if (settled || Date.now() >= until) {
      return {
        delivered: rows.flatMap((r) => (r.status === 'delivered' && r.delivered_ref ? [{ personId: r.person_id, platform: r.delivered_ref.platform }] : [])),
        failed: rows.flatMap((r) => (r.status === 'failed' ? [{ personId: r.person_id, reason: r.last_error ?? 'the platform refused the message' }] : [])),
        pending: rows.filter((r) => r.status !== 'delivered' && r.status !== 'failed').map((r) => r.person_id),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
