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
// escalation worker's steps live in ping-transitions.ts, the pieces they share in ping-steps.ts.
import type { Db } from '../db/database.js';
import { InvalidInput, NotFound } from '../chat/errors.js';
import { hasRole, type Actor } from '../chat/actor.js';
import { holderFor } from '../journeys/owners.js';
import { recipientsOf, sendRound, viewOf } from './steps.js';
import { journeyById, type Executor } from '../journeys/repo.js';
import { pingMessage } from '../journeys/schema.js';
import { delayMs, escalationDelayHours } from '../journeys/settings.js';
import type { PingReason, PingState } from '../journeys/tables.js';


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
  const existing = await trx.selectFrom('pings').select(['id', 'escalate_at']).where('org_id', '=', input.orgId).where('dedupe_key', '=', input.dedupeKey).executeTakeFirst();
  if (existing) return { pingId: existing.id, outboxIds: [], created: false, escalateAt: existing.escalate_at };
  const journey = await journeyById(trx, input.orgId, input.journeyId);
  if (!journey) throw new NotFound('That journey does not exist (any more). Nothing was sent.');

  const holder = await holderFor(trx, journey.id);
  const delayHours = await escalationDelayHours(trx, input.orgId);
  const escalateAt = new Date(input.now.getTime() + delayMs(delayHours));
  const inserted = await trx
    .insertInto('pings')
    .values({
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
    })
    .onConflict((oc) => oc.constraint('pings_org_dedupe_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) {
    // The same cause raced us to it: the first ping stands.
    const first = await trx.selectFrom('pings').select(['id', 'escalate_at']).where('org_id', '=', input.orgId).where('dedupe_key', '=', input.dedupeKey).executeTakeFirstOrThrow();
    return { pingId: first.id, outboxIds: [], created: false, escalateAt: first.escalate_at };
  }
  const recipients = await recipientsOf(trx, inserted, holder);
  const view = await viewOf(trx, inserted.id);
  const outboxIds = await sendRound(trx, view, recipients, input.now, { eventKind: 'sent' });
  return { pingId: inserted.id, outboxIds, created: true, escalateAt };
}


/** Pings whose escalation or snooze end has come, oldest first: what the sweep looks at. */
export async function duePingIds(db: Db, now: Date, limit = 500): Promise<string[]> {
  const escalations = db
    .selectFrom('pings')
    .select(['id', 'escalate_at as due'])
    .where('state', '=', 'sent')
    .where('escalate_at', 'is not', null)
    .where('escalate_at', '<=', now);
  const snoozes = db.selectFrom('pings').select(['id', 'snoozed_until as due']).where('state', '=', 'snoozed').where('snoozed_until', '<=', now);
  const rows = await escalations.unionAll(snoozes).orderBy('due').limit(limit).execute();
  return rows.map((r) => r.id);
}

/**
 * Writes "delivered" (or "undelivered") into the history of ping messages the outbox has finished
 * with. Run by the escalation sweep; the unique index makes two sweeps at once harmless.
 */
export async function recordPingDeliveries(db: Db, limit = 500): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const finished = await trx
      .selectFrom('ping_messages as m')
      .innerJoin('outbox as o', 'o.id', 'm.outbox_id')
      .select(['m.outbox_id', 'm.ping_id', 'm.person_id', 'm.level', 'o.status', 'o.delivered_at', 'o.last_error', 'o.created_at'])
      .where('m.delivery_recorded', '=', false)
      .where('o.status', 'in', ['delivered', 'failed'])
      .orderBy('m.outbox_id')
      .limit(limit)
      .forUpdate('m')
      .skipLocked()
      .execute();
    if (finished.length === 0) return 0;
    await trx
      .updateTable('ping_messages')
      .set({ delivery_recorded: true })
      .where(
        'outbox_id',
        'in',
        finished.map((f) => f.outbox_id),
      )
      .execute();
    await trx
      .insertInto('ping_events')
      .values(
        finished.map((f) => ({
          ping_id: f.ping_id,
          kind: f.status === 'delivered' ? ('delivered' as const) : ('undelivered' as const),
          level: f.level,
          to_person_id: f.person_id,
          outbox_id: f.outbox_id,
          note: f.status === 'failed' ? (f.last_error ?? 'delivery failed') : null,
          at: f.delivered_at ?? f.created_at,
        })),
      )
      .execute();
    return finished.length;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading pings for lists and the digest

export interface OpenPing {
  pingId: string;
  journeyId: string;
  journeyName: string;
  journeyKey: string;
  message: string;
  state: PingState;
  holderPersonId: string | null;
  fromPersonId: string | null;
  createdAt: Date;
  escalateAt: Date | null;
  snoozedUntil: Date | null;
  /** Reached the top without acknowledgement. */
  exhaustedAt: Date | null;
  level: number;
}

function openPingsQuery(db: Db, orgId: string) {
  return db
    .selectFrom('pings as p')
    .innerJoin('journeys as j', 'j.id', 'p.journey_id')
    .select([
      'p.id',
      'p.journey_id',
      'j.name',
      'j.key',
      'p.message',
      'p.state',
      'p.holder_person_id',
      'p.holder_journey_id',
      'p.from_person_id',
      'p.created_at',
      'p.escalate_at',
      'p.snoozed_until',
      'p.exhausted_at',
      'p.level',
    ])
    .where('p.org_id', '=', orgId)
    .where('p.state', 'in', ['sent', 'snoozed'])
    .orderBy('p.created_at');
}

type OpenRow = Awaited<ReturnType<ReturnType<typeof openPingsQuery>['execute']>>[number];

function toOpenPing(r: OpenRow): OpenPing {
  return {
    pingId: r.id,
    journeyId: r.journey_id,
    journeyName: r.name,
    journeyKey: r.key,
    message: r.message,
    state: r.state,
    holderPersonId: r.holder_person_id,
    fromPersonId: r.from_person_id,
    createdAt: r.created_at,
    escalateAt: r.escalate_at,
    snoozedUntil: r.snoozed_until,
    exhaustedAt: r.exhausted_at,
    level: r.level,
  };
}

/** Every unacknowledged ping of the organisation, oldest first (for the weekly digest). */
export async function openPingsForDigest(db: Db, orgId: string): Promise<OpenPing[]> {
  return (await openPingsQuery(db, orgId).execute()).map(toOpenPing);
}

/** Open pings a person must act on (as holder, deputy, or admin of an ownerless one), and those they sent. */
export async function pingsOf(db: Db, actor: Actor): Promise<{ withMe: OpenPing[]; sentByMe: OpenPing[] }> {
  const admin = hasRole(actor, 'admin');
  const rows = await openPingsQuery(db, actor.orgId)
    .leftJoin('journeys as hj', 'hj.id', 'p.holder_journey_id')
    .where((eb) =>
      eb.or([
        eb('p.holder_person_id', '=', actor.personId),
        eb('hj.deputy_person_id', '=', actor.personId),
        eb('p.from_person_id', '=', actor.personId),
        ...(admin ? [eb('p.holder_person_id', 'is', null)] : []),
      ]),
    )
    .select('hj.deputy_person_id as holder_deputy')
    .execute();
  const withMe = rows.filter((r) => r.holder_person_id === actor.personId || r.holder_deputy === actor.personId || (admin && r.holder_person_id === null));
  const sentByMe = rows.filter((r) => r.from_person_id === actor.personId && !withMe.includes(r));
  return { withMe: withMe.map(toOpenPing), sentByMe: sentByMe.map(toOpenPing) };
}

