// Which inbound platform events were already taken. Slack retries an Events API delivery it thinks
// failed (same event_id) and the Bot Framework may redeliver an activity (same id); the first
// process to claim the key handles it, every later delivery is acknowledged and ignored. A claim
// whose handling failed is released, so the platform's next retry can still do the work.
import type { Db } from './database.js';

/** How long a key is remembered: Slack retries within minutes; a day is ample. */
const KEEP_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;

export class InboundEvents {
  private lastPrune = 0;

  constructor(private readonly db: Db) {}

  /** True when this delivery is the first of its event; false for a redelivery. */
  async claim(key: string): Promise<boolean> {
    this.pruneNowAndThen();
    const inserted = await this.db
      .insertInto('inbound_events')
      .values({ event_key: key })
      .onConflict((oc) => oc.column('event_key').doNothing())
      .returning('event_key')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Forget a claim whose handling failed, so that a retry is handled. */
  async release(key: string): Promise<void> {
    await this.db.deleteFrom('inbound_events').where('event_key', '=', key).execute();
  }

  private pruneNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    void this.db
      .deleteFrom('inbound_events')
      .where('received_at', '<', new Date(now - KEEP_MS))
      .execute()
      // Pruning is housekeeping: when it fails, the next one an hour later tries again.
      .catch(() => {});
  }
}
