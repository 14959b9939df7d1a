// The click inbox's SQL (migration 0012): many clicks stored in one insert, leftovers claimed with a
// lease so that of several serving processes exactly one takes each.
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';

export interface InboxRow {
  id: string;
  platform: Platform;
  request: unknown;
  reply_to: unknown;
  received_at: Date;
  attempts: number;
}

export interface NewInboxRow {
  id: string;
  platform: Platform;
  request: unknown;
  replyTo: unknown;
  receivedAt: Date;
  claimedUntil: Date;
}

/** One insert, one commit, for every click that arrived while the last insert was on its way. */
export async function insertClicks(db: Db, rows: NewInboxRow[]): Promise<void> {
  await db
    .insertInto('click_inbox')
    .values(rows.map((row) => ({ id: row.id, platform: row.platform, request: JSON.stringify(row.request), reply_to: JSON.stringify(row.replyTo), received_at: row.receivedAt, claimed_until: row.claimedUntil })))
    .execute();
}

export async function deleteClick(db: Db, id: string): Promise<void> {
  await db.deleteFrom('click_inbox').where('id', '=', id).execute();
}

/** Clicks whose lease has run out (their process died or gave up), oldest first, now leased to the caller. */
export async function claimStaleClicks(db: Db, now: Date, claimedUntil: Date, limit: number): Promise<InboxRow[]> {
  return db
    .updateTable('click_inbox')
    .set((eb) => ({ claimed_until: claimedUntil, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', (eb) => eb.selectFrom('click_inbox').select('id').where('claimed_until', '<', now).orderBy('received_at').limit(limit).forUpdate().skipLocked())
    .returning(['id', 'platform', 'request', 'reply_to', 'received_at', 'attempts'])
    .execute();
}

/** Keeps this process's lease on the clicks it still has in hand. */
export async function extendLeases(db: Db, ids: string[], claimedUntil: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('click_inbox').set({ claimed_until: claimedUntil }).where('id', 'in', ids).execute();
}

export async function countClicks(db: Db): Promise<number> {
  const row = await db.selectFrom('click_inbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
