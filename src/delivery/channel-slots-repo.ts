// At most one message per second to any one channel, across every worker process: the next free
// moment per channel lives in Postgres, taken under a row lock. A message that finds the slot taken
// books the next free one, so messages waiting for one channel go out one per interval instead of
// all retrying at the same instant (where all but one would wait again, over and over).
import { sql, type QueryCreator } from 'kysely';
import { compiledOnce } from '../db/compiled-once.js';
import type { Db } from '../db/database.js';
import type { Database } from '../db/tables.js';
import { handBackTo } from './outbox-repo.js';

export const CHANNEL_INTERVAL_MS = 1_000;

/** Written into an outbox row's last_error while it waits for the slot booked for it. */
export const SLOT_BOOKED = 'waiting for its booked turn in the channel (one message per second)';

/**
 * Takes the channel's send slot if it is free at `now`; otherwise books the next free one and says when
 * it is. With `burst`, that many calls may go at once after a quiet spell before the pace applies (a
 * generic cell rate: the next free moment may lag `burst` intervals behind now), as Slack's API tiers allow.
 */
export async function takeChannelSlot(
  db: Db,
  channelKey: string,
  now: Date,
  pace: { intervalMs?: number; burst?: number; /** False: a refusal books nothing, the caller just tries again later. */ book?: boolean } = {},
): Promise<{ granted: true } | { granted: false; retryAt: Date }> {
  const { intervalMs = CHANNEL_INTERVAL_MS, burst = 0, book = true } = pace;
  if (book) return takeOrBookSlot(db, channelKey, now, intervalMs, burst);
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('channel_send_slots')
      .values({ channel_key: channelKey, next_at: new Date(0) })
      .onConflict((oc) => oc.column('channel_key').doNothing())
      .execute();
    const row = await trx.selectFrom('channel_send_slots').select('next_at').where('channel_key', '=', channelKey).forUpdate().executeTakeFirstOrThrow();
    if (row.next_at > now) {
      if (!book) return { granted: false as const, retryAt: row.next_at };
      await trx
        .updateTable('channel_send_slots')
        .set({ next_at: sql`${row.next_at}::timestamptz + ${`${intervalMs} milliseconds`}::interval` })
        .where('channel_key', '=', channelKey)
        .execute();
      return { granted: false as const, retryAt: row.next_at };
    }
    const earliest = new Date(now.getTime() - burst * intervalMs);
    const from = row.next_at > earliest ? row.next_at : earliest;
    await trx
      .updateTable('channel_send_slots')
      .set({ next_at: sql`${from}::timestamptz + ${`${intervalMs} milliseconds`}::interval` })
      .where('channel_key', '=', channelKey)
      .execute();
    return { granted: true as const };
  });
}

/**
 * takeChannelSlot with booking, in one statement: the upsert works on the row's latest version under
 * its lock, like the transaction above. A free slot (next_at ≤ now) moves next_at to at most
 * now + interval; a taken one books the next free moment (next_at + interval, beyond now + interval).
 * So the new next_at tells which it was, and the booked moment is one interval before it.
 */
async function takeOrBookSlot(db: Db, channelKey: string, now: Date, intervalMs: number, burst: number): Promise<{ granted: true } | { granted: false; retryAt: Date }> {
  const booking = { channelKey, now, earliest: new Date(now.getTime() - burst * intervalMs), interval: `${intervalMs} milliseconds` };
  const row = await db.with('slot', (qb) => bookingOf(qb, booking)).selectFrom('slot').selectAll().executeTakeFirstOrThrow();
  return row.booked ? { granted: false, retryAt: new Date(row.booked_at) } : { granted: true };
}

/**
 * For a message being sent: takes its channel's slot (as takeChannelSlot at the channel pace), or books
 * the next one and hands the outbox row back, due at that moment and marked SLOT_BOOKED, in the same
 * statement. Most messages of a burst to one person wait for their turn, so this saves each of them a
 * round trip.
 */
export async function takeSlotOrHandBack(db: Db, channelKey: string, now: Date, outboxId: string): Promise<{ granted: true } | { granted: false; retryAt: Date }> {
  const row = (await slotOrHandBackStatement(db, { channelKey, now, outboxId })).rows[0];
  if (!row) throw new Error(`no slot was taken or booked for ${channelKey}`);
  return row.booked ? { granted: false, retryAt: new Date(row.booked_at) } : { granted: true };
}

// Run for most messages a worker sends: compiled once (src/db/compiled-once.ts), at the channel pace with no burst.
const slotOrHandBackStatement = compiledOnce((db, { channelKey, now, outboxId }: { channelKey: string; now: Date; outboxId: string }) =>
  db
    .with('slot', (qb) => bookingOf(qb, { channelKey, now, earliest: now, interval: `${CHANNEL_INTERVAL_MS} milliseconds` }))
    .with('back', (qb) => handBackTo(qb.updateTable('outbox'), sql`(select booked_at from slot)`, SLOT_BOOKED).where('id', '=', outboxId).where(sql<boolean>`(select booked from slot)`))
    .selectFrom('slot')
    .selectAll(),
);

/** The upsert of takeOrBookSlot: `earliest` is how far behind now the next free moment may lag (the burst). */
function bookingOf(qb: QueryCreator<Database>, { channelKey, now, earliest, interval }: { channelKey: string; now: Date; earliest: Date; interval: string }) {
  return qb
    .insertInto('channel_send_slots')
    .values({ channel_key: channelKey, next_at: sql`${earliest}::timestamptz + ${interval}::interval` })
    .onConflict((oc) =>
      oc.column('channel_key').doUpdateSet({
        next_at: sql`case when channel_send_slots.next_at > ${now}::timestamptz then channel_send_slots.next_at + ${interval}::interval
          else greatest(channel_send_slots.next_at, ${earliest}::timestamptz) + ${interval}::interval end`,
      }),
    )
    .returning([sql<boolean>`next_at > ${now}::timestamptz + ${interval}::interval`.as('booked'), sql<Date>`next_at - ${interval}::interval`.as('booked_at')]);
}
