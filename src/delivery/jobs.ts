// The delivery job: one BullMQ job per outbox row (job id = row id, so duplicates collapse), a
// worker that delivers with retries and honours Retry-After, and a sweep that re-enqueues rows whose
// job was lost (Redis down when they were written, a worker killed mid-job).
import { DelayedError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { defineJob } from '../jobs/registry.js';
import { PeriodicSweep } from '../jobs/periodic.js';
import type { Logger } from '../log.js';
import type { Deliverer } from './deliver.js';
import { PermanentDeliveryError, RateLimitedError } from './notifier.js';
import { dueOutboxRows, type DueOutboxRow } from './outbox-repo.js';

export const DELIVERY_QUEUE = 'steward-delivery';

export interface DeliveryJob {
  outboxId: string;
}

export function jobIdFor(outboxId: string, lostAttempt?: number): string {
  return lostAttempt === undefined ? `outbox-${outboxId}` : `outbox-${outboxId}-after-lost-attempt-${lostAttempt}`;
}

/** A background delivery's BullMQ priority: any value puts it after the jobs that have none. */
const BACKGROUND_PRIORITY = 10;

/** Enqueues outbox rows for delivery. */
export class DeliveryQueue {
  constructor(
    readonly queue: Queue<DeliveryJob>,
    private readonly log: Logger,
  ) {}

  async enqueue(outboxIds: string[], options: { background?: boolean } = {}): Promise<void> {
    await this.enqueueRows(
      outboxIds.map((id) => ({ id })),
      options,
    );
  }

  /** Rows the sweep found due; a row whose attempt was lost gets a job of its own (see DueOutboxRow). */
  async enqueueRows(rows: DueOutboxRow[], options: { background?: boolean } = {}): Promise<void> {
    if (rows.length === 0) return;
    const priority = options.background ? { priority: BACKGROUND_PRIORITY } : {};
    await this.queue.addBulk(rows.map(({ id: outboxId, lostAttempt }) => ({ name: 'deliver', data: { outboxId }, opts: { jobId: jobIdFor(outboxId, lostAttempt), ...priority } })));
  }

  /**
   * Fire and forget after a commit: if Redis is away the sweep delivers the rows later. With
   * `background`, the rows wait until no message without it is waiting (BullMQ takes jobs without a
   * priority before prioritised ones): for what can follow a moment later, such as the redraw of an
   * older message and the note to a ping's sender, so that under load the escalated ping itself goes first.
   */
  kick(outboxIds: string[], options: { background?: boolean } = {}): void {
    this.enqueue(outboxIds, options).catch((error: unknown) => {
      this.log.debug({ err: error, count: outboxIds.length }, 'delivery kick failed; the outbox sweep will retry');
    });
  }

  async depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
  }
}

export interface DeliveryJobDeps {
  db: Db;
  deliverer: Deliverer;
  /** Wall clock: delivery timing (leases, Retry-After) is plumbing, not business time. */
  clock: Clock;
  log: Logger;
  queue: DeliveryQueue;
}

export const deliveryJob = defineJob({
  queue: DELIVERY_QUEUE,
  jobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: true },
  // A delivery mostly waits: on Slack or Teams (100–300 ms a call) and on its channel's turn. At 8 a
  // process, 2,000 escalated DMs with Slack answering in 150 ms took 24.9–26.7 s (everything they
  // wrote 65–67 s); at 32, 16.0–18.3 s (28–31 s) (bench/pings --slack-latency=150, three runs each).
  // With a Slack that answers at once (bench/pings' default), 32 cost time while recording the
  // escalations was slow (a ping's view read scanned all people): 25.1–26.7 s against 17.0–19.4 s at
  // 8. Since that read was mended, 32 is the fastest there too: 20.2 s, against 22.0 s at 16 and
  // 24.9 s at 8 (one run each). Pacing is the channel slots' and Retry-After's job, not this number's.
  concurrency: 32,
  processor: (deps: DeliveryJobDeps) => (job: Job<DeliveryJob>, token?: string) => deliverOne(deps, job, token),
  sweep: (deps: DeliveryJobDeps, intervalMs) => new OutboxSweep({ ...deps, intervalMs }),
});

async function deliverOne({ deliverer, clock, log }: DeliveryJobDeps, job: Job<DeliveryJob>, token?: string): Promise<string> {
  try {
    const outcome = await deliverer.deliver(job.data.outboxId);
    if (outcome.status === 'not-due') {
      await job.moveToDelayed(outcome.notBefore.getTime(), token);
      throw new DelayedError();
    }
    return outcome.status;
  } catch (error) {
    if (error instanceof DelayedError) throw error;
    if (error instanceof RateLimitedError) {
      // Slack said when to come back: wait exactly that long, without spending an attempt.
      await job.moveToDelayed(clock.now().getTime() + error.retryAfterMs, token);
      throw new DelayedError();
    }
    if (error instanceof PermanentDeliveryError) {
      log.warn({ outboxId: job.data.outboxId, reason: error.message }, 'message cannot be delivered');
      throw new UnrecoverableError(error.message);
    }
    log.warn({ outboxId: job.data.outboxId, err: error, attempt: job.attemptsMade + 1 }, 'delivery failed; will retry');
    throw error;
  }
}

/** Re-enqueues what is due in the outbox; runs in every worker process (job ids make it harmless). */
export class OutboxSweep extends PeriodicSweep<number> {
  constructor(private readonly options: { db: Db; clock: Clock; queue: DeliveryQueue; log: Logger; intervalMs?: number | undefined }) {
    super({
      intervalMs: options.intervalMs ?? 5_000,
      busy: 0,
      onError: (error: unknown) => options.log.debug({ err: error }, 'outbox sweep skipped'),
    });
  }

  protected async pass(): Promise<number> {
    const rows = await dueOutboxRows(this.options.db, this.options.clock.now());
    await this.options.queue.enqueueRows(rows);
    return rows.length;
  }
}
