// At most one message per second to any one channel, across every worker process: the next free
// moment per channel lives in Postgres, taken under a row lock.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export const CHANNEL_INTERVAL_MS = 1_000;

/** Takes the channel's send slot if it is free at `now`; otherwise says when it frees up. */
export async function takeChannelSlot(db: Db, channelKey: string, now: Date, intervalMs = CHANNEL_INTERVAL_MS): Promise<{ granted: true } | { granted: false; retryAt: Date }> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('channel_send_slots')
      .values({ channel_key: channelKey, next_at: new Date(0) })
      .onConflict((oc) => oc.column('channel_key').doNothing())
      .execute();
    const row = await trx.selectFrom('channel_send_slots').select('next_at').where('channel_key', '=', channelKey).forUpdate().executeTakeFirstOrThrow();
    if (row.next_at > now) return { granted: false as const, retryAt: row.next_at };
    await trx
      .updateTable('channel_send_slots')
      .set({ next_at: sql`${now}::timestamptz + ${`${intervalMs} milliseconds`}::interval` })
      .where('channel_key', '=', channelKey)
      .execute();
    return { granted: true as const };
  });
}
