// The lookup log (what people asked, found or not), written behind the answer: lookups are queued in
// memory and written together, one statement every quarter second, instead of one write and one
// commit per lookup on the hot path. The log feeds `glossary stats` and the digest, where a quarter
// second does not matter; a crash of the process loses at most the lookups of that quarter second
// (never a term, a proposal or a vote: those are written before Steward answers).
import type { Db } from '../db/database.js';
import type { Logger } from '../log.js';
import { insertLookups, type LookupEntry } from './repo/stats.js';


export interface LookupLogOptions {
  /** How long a lookup waits to be written with others. */
  flushEveryMs?: number;
  /** Written at once when this many are waiting. */
  batchSize?: number;
  /** While the database is away, at most this many wait; beyond it the oldest are dropped (and said so). */
  maxWaiting?: number;
}

export class LookupLog {
  private waiting: LookupEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** The flush waiting for the write before it, if any. */
  private queued: Promise<void> | undefined;
  private readonly flushEveryMs: number;
  private readonly batchSize: number;
  private readonly maxWaiting: number;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    options: LookupLogOptions = {},
  ) {
    this.flushEveryMs = options.flushEveryMs ?? 250;
    this.batchSize = options.batchSize ?? 500;
    this.maxWaiting = options.maxWaiting ?? 50_000;
  }

  record(entry: LookupEntry): void {
    this.waiting.push(entry);
    if (this.waiting.length > this.maxWaiting) {
      const dropped = this.waiting.splice(0, this.waiting.length - this.maxWaiting);
      this.log.warn({ dropped: dropped.length }, 'the glossary lookup log could not be written for a while; the oldest lookups were left out of the statistics');
    }
    if (this.waiting.length >= this.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushEveryMs);
  }

  /** Writes everything recorded so far; resolves when it is in the database (or has failed and waits again). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // One write at a time, in order: a flush waits for the one before it. A flush still waiting takes
    // everything recorded until it starts, so it is the one asked for again: under load, every lookup
    // past a full batch asks, and each would otherwise queue a flush of its own.
    if (this.queued) return this.queued;
    const next = this.writing.then(() => {
      this.queued = undefined;
      return this.writeWaiting();
    });
    this.queued = next;
    this.writing = next;
    return next;
  }

  /**
   * Writes what was recorded until now, in batches. What arrives meanwhile waits for the next flush
   * (its timer, or a full batch): under load, a write each quarter second or each full batch, not one
   * write after another of whatever came in during the last. Never rejects: what could not be written
   * waits in front for the next flush.
   */
  private async writeWaiting(): Promise<void> {
    let owed = this.waiting.length;
    while (owed > 0 && this.waiting.length) {
      const batch = this.waiting.splice(0, Math.min(this.batchSize, owed));
      owed -= batch.length;
      try {
        await this.write(batch);
      } catch (error) {
        // The database may be restarting: what is left waits in front, and is tried again shortly.
        this.log.warn({ err: error, waiting: this.waiting.length + batch.length }, 'could not write the glossary lookup log; retrying shortly');
        this.waiting.unshift(...batch);
        this.timer ??= setTimeout(() => void this.flush(), Math.max(this.flushEveryMs, 1_000));
        return;
      }
    }
    if (this.waiting.length) this.timer ??= setTimeout(() => void this.flush(), this.flushEveryMs);
  }

  /**
   * Writes a batch in one statement. When a rule refuses it (an organisation, term or person was
   * removed meanwhile), rows are written one by one and those that can never be written are left
   * out; `batch` keeps only what is still to be written if the database fails meanwhile.
   */
  private async write(batch: LookupEntry[]): Promise<void> {
    try {
      await insertLookups(this.db, batch);
      batch.length = 0;
      return;
    } catch (error) {
      if (!isIntegrityError(error)) throw error;
    }
    let dropped = 0;
    while (batch.length) {
      try {
        await insertLookups(this.db, [batch[0]!]);
      } catch (error) {
        if (!isIntegrityError(error)) throw error;
        dropped++;
      }
      batch.shift();
    }
    this.log.warn({ dropped }, 'glossary lookups that refer to something removed meanwhile were left out of the log');
  }

  /** Writes what waits; a last failure is logged, not thrown (closing must finish). */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length) this.log.warn({ lost: this.waiting.length }, 'glossary lookups not written at shutdown');
  }
}

/** Postgres class 23: a foreign key, check or unique rule refused the rows; retrying cannot help. */
function isIntegrityError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('23');
}
