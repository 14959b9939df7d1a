// Writing to the outbox: always inside the transaction of the change that causes the message, so a
// message exists exactly when its cause does. Delivery happens later, in src/jobs/delivery-worker.ts.
import { sql, type Transaction } from 'kysely';
import type { Card } from '../chat/card.js';
import type { Db } from '../db/database.js';
import type { OutboxTarget } from '../db/foundation-tables.js';
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
      }),
      ...(entry.notBefore ? { not_before: entry.notBefore } : {}),
    })
    .onConflict((oc) => oc.constraint('outbox_org_dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? String(row.id) : undefined;
}

/** Rows due for delivery that no job is working on, oldest first: what the sweep re-enqueues. */
export async function dueOutboxIds(db: Db, now: Date, limit = 500): Promise<string[]> {
  const rows = await db
    .selectFrom('outbox')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('not_before', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
      ]),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => String(r.id));
}

export async function outboxCounts(db: Db) {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', sql<number>`count(*)::int`.as('count')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, r.count]));
}
