// Writing to the outbox: always inside the transaction of the change that causes the message, so a
// message exists exactly when its cause does. Delivery happens later, in src/jobs/delivery.ts.
import { sql, type Transaction } from 'kysely';
import type { Card } from '../chat/card.js';
import type { Db } from '../db/database.js';
import type { MessageRender, OutboxTarget } from '../db/foundation-tables.js';
import type { Database } from '../db/tables.js';

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
