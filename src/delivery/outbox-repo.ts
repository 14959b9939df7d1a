// The outbox's SQL. Writing: always inside the transaction of the change that causes the message, so
// a message exists exactly when its cause does. Delivering (src/delivery/deliver.ts, run by the job
// in src/delivery/jobs.ts): a row is leased, marked sent or failed, or handed back.
import { sql, type Insertable, type InsertQueryBuilder, type InsertResult, type RawBuilder, type Transaction, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { Card } from '../chat/card.js';
import { compiledOnce } from '../db/compiled-once.js';
import type { Db } from '../db/database.js';
import type { MessageRender, OutboxTarget } from '../db/foundation-tables.js';
import type { Database } from '../db/tables.js';
import type { DeliveredRef, OutboxStatus } from '../db/foundation-tables.js';
import { personToReachJson, personToReachOf } from '../reach/repo.js';

type Executor = Transaction<Database> | Db;

export interface OutboxEntry {
  orgId: string;
  /** Unique per organisation for one cause, e.g. `ping:42:sent`; a second write with it is ignored. */
  dedupeKey: string;
  target: OutboxTarget;
  card: Card;
  threadOfOutboxId?: string;
  updateOfOutboxId?: string;
  notBefore?: Date;
  /** Draw the card from the database at delivery; `card` is then only the fallback text. */
  render?: MessageRender;
}

/** The outbox row of an entry, for an insert (enqueueMessage, or a capability's own insert of several). */
export function outboxRowOf(entry: OutboxEntry): Insertable<Database['outbox']> {
  return {
    org_id: entry.orgId,
    dedupe_key: entry.dedupeKey,
    target: JSON.stringify(entry.target),
    message: JSON.stringify({
      card: entry.card,
      text: entry.card.summary,
      ...(entry.threadOfOutboxId ? { threadOfOutboxId: entry.threadOfOutboxId } : {}),
      ...(entry.updateOfOutboxId ? { updateOfOutboxId: entry.updateOfOutboxId } : {}),
      ...(entry.render ? { render: entry.render } : {}),
    }),
    ...(entry.notBefore ? { not_before: entry.notBefore } : {}),
  };
}

/** Adds a message to the outbox; returns its id, or undefined when the same cause queued it already. */
export async function enqueueMessage(trx: Transaction<Database> | Db, entry: OutboxEntry): Promise<string | undefined> {
  return (await enqueueMessages(trx, [entry]))[0];
}

/** Several messages in one statement; the ids of those not queued before (see enqueueMessage), in the order given. */
export async function enqueueMessages(trx: Transaction<Database> | Db, entries: OutboxEntry[]): Promise<string[]> {
  return insertOutboxRows(trx, entries.map(outboxRowOf));
}

/** enqueueMessages for rows made with outboxRowOf. */
export async function insertOutboxRows(trx: Transaction<Database> | Db, rows: Insertable<Database['outbox']>[]): Promise<string[]> {
  if (rows.length === 0) return [];
  return idsInOrder(rows, await outboxInsert(trx.insertInto('outbox'), rows).returning(['id', 'dedupe_key']).execute());
}

/**
 * An insert into the outbox of these rows, skipping a row whose cause (dedupe key) is queued already;
 * the caller says what it returns. A statement of its own, or part of a capability's (insertRounds in
 * src/pings/repo.ts).
 */
export function outboxInsert<I extends InsertQueryBuilder<Database, 'outbox', InsertResult>>(insert: I, rows: Insertable<Database['outbox']>[]) {
  return insert.values(rows).onConflict((oc) => oc.constraint('outbox_org_dedupe_key').doNothing());
}

/** The ids of the rows inserted (those whose dedupe key was new), in the order the rows were given. */
export function idsInOrder(rows: { dedupe_key: string }[], inserted: { id: string | number; dedupe_key: string | null }[]): string[] {
  const byKey = new Map(inserted.map((r) => [r.dedupe_key, String(r.id)]));
  return rows.flatMap((r) => byKey.get(r.dedupe_key) ?? []);
}

export interface DueOutboxRow {
  id: string;
  /**
   * Set when an attempt's lease ran out (its worker died or hung): the number of that attempt. The
   * lost attempt's job may still sit "active" in BullMQ under the row's usual job id until BullMQ
   * notices the stall, so the sweep needs another job id to get the row going again now.
   */
  lostAttempt?: number;
}

/** Rows due for delivery that no job is working on, oldest first: what the sweep re-enqueues. */
export async function dueOutboxRows(db: Db, now: Date, limit = 500): Promise<DueOutboxRow[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'status', 'attempts'])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('not_before', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
      ]),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: String(r.id), ...(r.status === 'sending' ? { lostAttempt: r.attempts } : {}) }));
}

export async function outboxCounts(db: Db) {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', sql<number>`count(*)::int`.as('count')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, r.count]));
}

/**
 * Claims the row for one attempt, in one statement: a pending row that is due, or a row whose last
 * attempt's lease ran out (its outcome unknown: `uncertain`, and `attempt_started_at` kept from that
 * attempt so the platform can be asked what it posted since). The row after the claim (its attempts
 * counting this one), with what the deliverer needs to know besides, read in the same statement: the
 * person a direct message is for (every one needs them), and for an update how the message it
 * replaces stands. Undefined when it is not to be sent now (see whyNotClaimed).
 */
export async function claimForSending(db: Executor, outboxId: string, now: Date, leaseUntil: Date) {
  const claimed = (await claimStatement(db, { outboxId, now, leaseUntil })).rows[0];
  if (!claimed) return undefined;
  const { previous_status, person, original, ...row } = claimed;
  return { row, uncertain: previous_status === 'sending', person: personToReachOf(person), original: original ?? undefined };
}

// Run for every message a worker sends: compiled once (src/db/compiled-once.ts).
const claimStatement = compiledOnce((db, { outboxId, now, leaseUntil }: { outboxId: string; now: Date; leaseUntil: Date }) =>
  db
    .with('claimed', (qb) =>
      qb
        .updateTable('outbox as o')
        .from((eb) => eb.selectFrom('outbox').select(['id', 'status as previous_status']).where('id', '=', outboxId).forUpdate().skipLocked().as('old'))
        .set({
          status: 'sending',
          attempts: sql`o.attempts + 1`,
          lease_until: leaseUntil,
          attempt_started_at: sql`case when o.status = 'sending' then coalesce(o.attempt_started_at, ${now}) else ${now} end`,
        })
        .whereRef('o.id', '=', 'old.id')
        .where((eb) =>
          eb.or([
            eb.and([eb('o.status', '=', 'pending'), eb('o.not_before', '<=', now)]),
            eb.and([eb('o.status', '=', 'sending'), eb.or([eb('o.lease_until', 'is', null), eb('o.lease_until', '<=', now)])]),
          ]),
        )
        .returningAll('o')
        .returning('old.previous_status'),
    )
    .selectFrom('claimed')
    .selectAll('claimed')
    // A person id that is not a uuid matches nobody here (and the deliverer says so) instead of failing the claim.
    .select(personToReachJson(sql<string>`(case when claimed.target->>'kind' = 'person' and claimed.target->>'personId' ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' then claimed.target->>'personId' end)::uuid`).as('person'))
    // An update needs the message it replaces delivered: how that one stands, as deliveryOf reads it.
    .select(
      sql<{ status: OutboxStatus; delivered_ref: DeliveredRef | null } | null>`(select json_build_object('status', u.status, 'delivered_ref', u.delivered_ref) from outbox u
        where u.id = (case when claimed.message->>'updateOfOutboxId' ~ '^[0-9]{1,18}$' then claimed.message->>'updateOfOutboxId' end)::bigint)`.as('original'),
    ),
);

/** Why a row could not be claimed: finished, not due yet, or another worker holds it (or it is gone). */
export async function whyNotClaimed(db: Executor, outboxId: string, now: Date): Promise<{ kind: 'done' } | { kind: 'not-due'; notBefore: Date } | { kind: 'busy' }> {
  const row = await db.selectFrom('outbox').select(['status', 'not_before']).where('id', '=', outboxId).executeTakeFirst();
  if (row?.status === 'delivered' || row?.status === 'failed') return { kind: 'done' };
  if (row?.status === 'pending' && row.not_before > now) return { kind: 'not-due', notBefore: row.not_before };
  return { kind: 'busy' };
}

export async function markDelivered(db: Executor, outboxId: string, ref: DeliveredRef, now: Date): Promise<void> {
  await markDeliveredStatement(db, { outboxId, ref: JSON.stringify(ref), now });
}

const markDeliveredStatement = compiledOnce((db, { outboxId, ref, now }: { outboxId: string; ref: string; now: Date }) =>
  db.updateTable('outbox').set({ status: 'delivered', delivered_ref: ref, delivered_at: now, lease_until: null, last_error: null }).where('id', '=', outboxId),
);

/**
 * Hands a row being sent back, due again at `notBefore` (waiting is not an attempt): the update, to
 * narrow to the row and run inside another statement (takeSlotOrHandBack).
 */
export function handBackTo<U extends UpdateQueryBuilder<Database, 'outbox', 'outbox', UpdateResult>>(update: U, notBefore: Date | RawBuilder<Date>, reason: string) {
  return update
    .set({ status: 'pending', lease_until: null, attempt_started_at: null, not_before: notBefore, attempts: sql`greatest(attempts - 1, 0)`, last_error: reason })
    .where('status', '=', 'sending');
}

export async function markAttemptFailed(db: Executor, outboxId: string, failure: { permanent: boolean; at: Date; notBefore: Date; error: string }): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: failure.permanent ? 'failed' : 'pending',
      failed_at: failure.permanent ? failure.at : null,
      lease_until: null,
      attempt_started_at: null,
      not_before: failure.notBefore,
      last_error: failure.error,
    })
    .where('id', '=', outboxId)
    .where('status', '=', 'sending')
    .execute();
}

export async function deliveryOf(db: Executor, outboxId: string) {
  return db.selectFrom('outbox').select(['status', 'delivered_ref']).where('id', '=', outboxId).executeTakeFirst();
}
