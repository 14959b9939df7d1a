// Ping escalation on BullMQ: one delayed job per ping and due time (job id = ping and due time, so
// scheduling twice collapses), a worker that asks the database whether the ping is still due, and a
// sweep that finds due pings whose job was lost (Redis away, worker killed). The database decides:
// racing workers, clicks and sweeps produce one outcome (see src/journeys/pings.ts).
import { DelayedError, type Job, type Queue } from 'bullmq';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { PeriodicSweep } from '../jobs/periodic.js';
import { defineJob } from '../jobs/registry.js';
import type { UndeliverableHandler } from '../delivery/deliver.js';
import { passOnUnreachable, processDuePing, type DueOutcome, type PingDeps } from './transitions.js';
import { duePingIds, pingMessageByOutbox, recordPingDeliveries } from './repo.js';
import type { Logger } from '../log.js';

export const ESCALATION_QUEUE = 'steward-escalation';

export interface EscalationJob {
  pingId: string;
  /** The due time this job was scheduled for (ms since epoch). */
  dueAt: number;
}

/** Schedules a ping's next escalation step. */
export class EscalationQueue {
  constructor(
    readonly queue: Queue<EscalationJob>,
    private readonly options: { clock: Clock; log: Logger },
  ) {}

  async add(pingId: string, at: Date): Promise<void> {
    const delay = Math.max(0, at.getTime() - this.options.clock.now().getTime());
    await this.queue.add('escalate', { pingId, dueAt: at.getTime() }, { jobId: `ping-${pingId}-${at.getTime()}`, delay });
  }

  /** Fire and forget after a commit: if Redis is away, the sweep escalates the ping when it is due. */
  schedule(pingId: string, at: Date): void {
    this.add(pingId, at).catch((error: unknown) => {
      this.options.log.debug({ err: error, pingId }, 'could not schedule the escalation job; the sweep will find the ping');
    });
  }
}

export interface EscalationDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  kickDelivery(outboxIds: string[]): void;
  schedule(pingId: string, at: Date): void;
}

export const escalationJob = defineJob({
  queue: ESCALATION_QUEUE,
  jobOptions: { attempts: 6, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: true },
  concurrency: 8,
  processor: (deps: EscalationDeps) => async (job: Job<EscalationJob>, token?: string) => {
    const outcome = await runDue(deps, job.data.pingId);
    if (outcome.outcome === 'not-due' && outcome.nextDueAt && outcome.nextDueAt.getTime() === job.data.dueAt) {
      // Fired a moment early (clocks of processes differ by a few ms): wait for the due time.
      await job.moveToDelayed(job.data.dueAt + 50, token);
      throw new DelayedError();
    }
    // Otherwise not due because it was acknowledged, snoozed (a newer job exists) or already done.
    return outcome.outcome;
  },
  sweep: (deps: EscalationDeps, intervalMs) => new EscalationSweep({ ...deps, intervalMs }),
});

/** Runs one due ping and passes on what followed: deliveries to wake, the next due time to schedule. */
async function runDue(deps: EscalationDeps, pingId: string): Promise<DueOutcome> {
  const outcome = await processDuePing(deps, pingId);
  if (outcome.outboxIds.length) deps.kickDelivery(outcome.outboxIds);
  if (outcome.outcome !== 'not-due' && outcome.nextDueAt) deps.schedule(pingId, outcome.nextDueAt);
  if (outcome.outcome === 'escalated' || outcome.outcome === 'exhausted' || outcome.outcome === 'reminded') {
    deps.log.info({ pingId, outcome: outcome.outcome }, 'ping escalation step');
  }
  return outcome;
}

/**
 * Escalates pings that are due and that no job handled (a grace period gives the delayed job the
 * first turn), and records in each ping's history which of its messages were delivered. Runs in
 * every worker process; the conditional updates make that harmless.
 */
export class EscalationSweep extends PeriodicSweep<number> {
  constructor(private readonly options: EscalationDeps & { intervalMs?: number | undefined; graceMs?: number | undefined; parallel?: number }) {
    super({
      intervalMs: options.intervalMs ?? 10_000,
      busy: 0,
      onError: (error: unknown) => options.log.debug({ err: error }, 'escalation sweep skipped'),
    });
  }

  protected async pass(): Promise<number> {
    const { db, clock } = this.options;
    await recordPingDeliveries(db);
    const cutoff = new Date(clock.now().getTime() - (this.options.graceMs ?? 5_000));
    const ids = await duePingIds(db, cutoff);
    const queue = [...ids];
    const lanes = Array.from({ length: Math.min(this.options.parallel ?? 4, queue.length) }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        await runDue(this.options, id).catch((error: unknown) => this.options.log.warn({ err: error, pingId: id }, 'escalation failed; the next sweep retries'));
      }
    });
    await Promise.all(lanes);
    return ids.length;
  }
}

/** For the deliverer: a ping message that cannot reach its person passes the ping on (passOnUnreachable). */
export function pingUndeliverable(deps: PingDeps): UndeliverableHandler {
  return async ({ outboxId, personId, reason }) => {
    const message = await pingMessageByOutbox(deps.db, outboxId);
    if (!message) return [];
    return passOnUnreachable(deps, { pingId: message.ping_id, round: message.round, personId, reason });
  };
}
