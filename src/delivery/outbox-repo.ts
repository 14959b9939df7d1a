// The outbox's SQL. Writing: always inside the transaction of the change that causes the message, so
// a message exists exactly when its cause does. Delivering (src/delivery/deliver.ts, run by the job
// in src/delivery/jobs.ts): a row is leased, marked sent or failed, or handed back.
import { sql, type Transaction } from 'kysely';
import type { Card } from '../chat/card.js';
import type { Db } from '../db/database.js';
import type { MessageRender, OutboxTarget } from '../db/foundation-tables.js';
import type { Database } from '../db/tables.js';
import type { DeliveredRef } from '../db/foundation-tables.js';

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

/** Adds a message to the outbox; returns its id, or undefined when the same cause queued it already. */
export async function enqueueMessage(trx: Transaction<Database> | Db, entry: OutboxEntry): Promise<string | undefined> {
  const row = await trx
    .insertInto('outbox')
    .values({
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
    })
    .onConflict((oc) => oc.constraint('outbox_org_dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? String(row.id) : undefined;
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

/** The row, locked for this transaction; undefined when another worker holds it. */
export async function lockRow(trx: Executor, outboxId: string) {
  return trx.selectFrom('outbox').selectAll().where('id', '=', outboxId).forUpdate().skipLocked().executeTakeFirst();
}

export async function markSending(trx: Executor, outboxId: string, lease: { leaseUntil: Date; attemptStartedAt: Date }): Promise<void> {
  await trx
    .updateTable('outbox')
    .set({ status: 'sending', attempts: sql`attempts + 1`, lease_until: lease.leaseUntil, attempt_started_at: lease.attemptStartedAt })
    .where('id', '=', outboxId)
    .execute();
}

export async function markDelivered(db: Executor, outboxId: string, ref: DeliveredRef, now: Date): Promise<void> {
  await db.updateTable('outbox').set({ status: 'delivered', delivered_ref: JSON.stringify(ref), delivered_at: now, lease_until: null, last_error: null }).where('id', '=', outboxId).execute();
}

/** Hands a row being sent back, due again at `notBefore`; waiting is not an attempt. */
export async function handBack(db: Executor, outboxId: string, notBefore: Date, reason: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'pending', lease_until: null, attempt_started_at: null, not_before: notBefore, attempts: sql`greatest(attempts - 1, 0)`, last_error: reason })
    .where('id', '=', outboxId)
    .where('status', '=', 'sending')
    .execute();
}

export async function markAttemptFailed(db: Executor, outboxId: string, failure: { permanent: boolean; notBefore: Date; error: string }): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: failure.permanent ? 'failed' : 'pending', lease_until: null, attempt_started_at: null, not_before: failure.notBefore, last_error: failure.error })
    .where('id', '=', outboxId)
    .where('status', '=', 'sending')
    .execute();
}

export async function deliveryOf(db: Executor, outboxId: string) {
  return db.selectFrom('outbox').select(['status', 'delivered_ref']).where('id', '=', outboxId).executeTakeFirst();
}
