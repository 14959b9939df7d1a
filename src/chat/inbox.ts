// The click inbox: durable first, acknowledged second, handled third. A click whose handler is safe to
// run again (the router says which: a vote is, a form that creates a proposal is not) is stored with
// the clicks that arrived beside it in one insert, acknowledged, and then handled a few at a time, so
// a thousand simultaneous votes are acknowledged at the speed of inserts, not of whole votes. A click
// left in the inbox by a crash (or a lost database connection) is taken by the next serving process
// once its lease runs out; running it twice changes nothing twice (see ActionSpec.replaySafe).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';
import { ERROR_CODES } from '../errors.js';
import { PeriodicSweep } from '../jobs/periodic.js';
import type { Logger } from '../log.js';
import { errorCard } from './cards.js';
import * as repo from './inbox-repo.js';
import type { ChatRequest, Reply } from './request.js';

/** What a platform adapter gives the inbox: how to answer a stored click, and where to send the answer. */
export interface InboxPlatform {
  answer(request: ChatRequest): Promise<Reply>;
  /** `replyTo` is what the adapter stored with the click (Slack: the response_url and the channel). */
  deliver(replyTo: unknown, reply: Reply): Promise<void>;
}

export interface StoredClick {
  id: string;
  platform: Platform;
  request: ChatRequest;
  replyTo: unknown;
  attempts: number;
}

export interface ClickInboxOptions {
  db: Db;
  /** The business clock: the time a click arrived is the time its vote counts from. */
  clock: Clock;
  log: Logger;
  /** How long the storing process keeps a click to itself (renewed while it has it; default 30 s). */
  leaseMs?: number;
  /** Clicks handled at once by this process (default 8): acknowledgements of new clicks come first. */
  concurrency?: number;
  /** After this many tries a click is given up and its person told to click again (default 5). */
  maxAttempts?: number;
}

interface Waiting {
  row: repo.NewInboxRow;
  done(error?: unknown): void;
}

export class ClickInbox {
  private readonly platforms = new Map<Platform, InboxPlatform>();
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  /** Stored by the next insert. */
  private waiting: Waiting[] = [];
  private writing = false;
  /** Stored, not yet handled, in arrival order. */
  private readonly queue: StoredClick[] = [];
  private running = 0;
  /** Every click this process holds the lease of (queued or running). */
  private readonly inHand = new Set<string>();
  private readonly recovery: InboxRecovery;
  private idle: (() => void) | undefined;

  constructor(private readonly options: ClickInboxOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.concurrency = options.concurrency ?? 8;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.recovery = new InboxRecovery(this, Math.max(250, Math.floor(this.leaseMs / 3)), options.log);
  }

  register(platform: Platform, handler: InboxPlatform): void {
    this.platforms.set(platform, handler);
  }

  /** Resolves once the click is committed; the caller acknowledges it then and calls handle(). */
  store(platform: Platform, request: ChatRequest, replyTo: unknown): Promise<StoredClick> {
    const receivedAt = this.options.clock.now();
    const click: StoredClick = { id: randomUUID(), platform, request: { ...request, receivedAt }, replyTo, attempts: 0 };
    const row = { id: click.id, platform, request: click.request, replyTo, receivedAt, claimedUntil: this.leaseEnd() };
    return new Promise<StoredClick>((resolve, reject) => {
      this.waiting.push({ row, done: (error) => (error ? reject(error) : resolve(click)) });
      if (!this.writing) void this.write();
    });
  }

  /** Handles a stored click after its acknowledgement, a few at a time. */
  handle(click: StoredClick): void {
    this.inHand.add(click.id);
    this.queue.push(click);
    this.next();
  }

  start(): void {
    this.recovery.start();
  }

  /** Stops taking leftovers and waits (at most `waitMs`) for the clicks in hand; the rest stay for another process. */
  async close(waitMs = 5_000): Promise<void> {
    this.recovery.stop();
    this.queue.length = 0;
    if (this.running === 0) return;
    await Promise.race([new Promise<void>((resolve) => (this.idle = resolve)), new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
  }

  /** Takes clicks whose lease ran out and handles them; renews the leases of the clicks in hand. */
  async recover(): Promise<number> {
    const { db } = this.options;
    await repo.extendLeases(db, [...this.inHand], this.leaseEnd());
    const rows = await repo.claimStaleClicks(db, new Date(), this.leaseEnd(), 100);
    for (const row of rows) {
      if (this.inHand.has(row.id)) continue;
      const request = { ...(row.request as ChatRequest), receivedAt: row.received_at };
      const click: StoredClick = { id: row.id, platform: row.platform, request, replyTo: row.reply_to, attempts: row.attempts };
      if (row.attempts > this.maxAttempts) await this.giveUp(click);
      else this.handle(click);
    }
    if (rows.length > 0) this.options.log.info({ clicks: rows.length }, 'click inbox: took clicks left by a process that stopped or could not finish them');
    return rows.length;
  }

  private leaseEnd(): Date {
    return new Date(Date.now() + this.leaseMs);
  }

  /** Group commit: one insert carries every click that arrived while the previous one was on its way. */
  private async write(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, 500);
        try {
          await repo.insertClicks(this.options.db, batch.map((w) => w.row));
          for (const w of batch) w.done();
        } catch (error) {
          for (const w of batch) w.done(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private next(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const click = this.queue.shift()!;
      this.running++;
      void this.run(click).finally(() => {
        this.running--;
        if (this.running === 0 && this.queue.length === 0) this.idle?.();
        this.next();
      });
    }
  }

  private async run(click: StoredClick): Promise<void> {
    const { db, log } = this.options;
    const platform = this.platforms.get(click.platform);
    try {
      if (!platform) return; // served by another process; its lease runs out and that process takes it
      const reply = await platform.answer(click.request);
      // The database went away mid-click: keep it; the lease runs out and it is tried again.
      if (reply.refusal?.code === ERROR_CODES.databaseUnavailable) return;
      await repo.deleteClick(db, click.id).catch((error: unknown) => log.warn({ err: error, click: click.id }, 'click inbox: handled, not yet deleted; running it again will change nothing'));
      await platform.deliver(click.replyTo, reply).catch((error: unknown) => log.warn({ err: error, click: click.id }, 'click inbox: could not send the answer to a handled click'));
    } catch (error) {
      log.error({ err: error, click: click.id }, 'click inbox: a click failed; it is tried again when its lease runs out');
    } finally {
      this.inHand.delete(click.id);
    }
  }

  private async giveUp(click: StoredClick): Promise<void> {
    const { db, log } = this.options;
    log.error({ click: click.id, attempts: click.attempts }, 'click inbox: gave up on a click after repeated failures');
    await repo.deleteClick(db, click.id);
    const message = `Steward could not record your click after ${click.attempts} tries, so nothing was changed. Please click the button again.`;
    await this.platforms
      .get(click.platform)
      ?.deliver(click.replyTo, { private: errorCard(message) })
      .catch(() => {});
  }
}

class InboxRecovery extends PeriodicSweep<number> {
  constructor(
    private readonly inbox: ClickInbox,
    intervalMs: number,
    log: Logger,
  ) {
    super({ intervalMs, busy: 0, onError: (error) => log.warn({ err: error }, 'click inbox: the recovery pass failed; it runs again shortly') });
  }

  protected pass(): Promise<number> {
    return this.inbox.recover();
  }
}
