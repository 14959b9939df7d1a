// Ping escalation on BullMQ: one delayed job per ping and due time (job id = ping and due time, so
// scheduling twice collapses), a worker that asks the database whether the ping is still due and, if
// so, escalates it together with others due with it (processDueBatch: claimed with SKIP LOCKED, one
// transaction), and a sweep that finds due pings whose job was lost (Redis away, worker killed). The
// database decides: racing workers, clicks and sweeps produce one outcome (see src/pings/transitions.ts).
import { DelayedError, type Job, type Queue } from 'bullmq';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { PeriodicSweep } from '../jobs/periodic.js';
import { defineJob } from '../jobs/registry.js';
import type { UndeliverableHandler } from '../delivery/deliver.js';
import { dueNow, passOnUnreachable, processDueBatch, processDuePing, type DueBatch, type DueOutcome, type PingDeps } from './transitions.js';
import { duePingIds, pingMessageByOutbox, recordPingDeliveries } from './repo.js';
import type { Logger } from '../log.js';

export const ESCALATION_QUEUE = 'steward-escalation';

export interface EscalationJob {
  pingId: string;
  /** The due time this job was scheduled for (ms since epoch). */
  dueAt: number;
}

/** One job per ping and due time: scheduling the same step twice adds one job. */
function jobIdOf(pingId: string, at: Date): string {
  return `ping-${pingId}-${at.getTime()}`;
}

/** Schedules a ping's next escalation step. */
export class EscalationQueue {
  constructor(
    readonly queue: Queue<EscalationJob>,
    private readonly options: { clock: Clock; log: Logger },
  ) {}

  async add(pingId: string, at: Date): Promise<void> {
    const delay = Math.max(0, at.getTime() - this.options.clock.now().getTime());
    await this.queue.add('escalate', { pingId, dueAt: at.getTime() }, { jobId: jobIdOf(pingId, at), delay });
  }

  /** Fire and forget after a commit: if Redis is away, the sweep escalates the ping when it is due. */
  schedule(pingId: string, at: Date): void {
    this.scheduleAll([{ pingId, at }]);
  }

  /**
   * Fire and forget: removes the jobs for these due moments, when a batch has done their step
   * (processDueBatch takes the pings due with a job's own). A job already running is left to find
   * its ping done; a job that stays costs one read, not a second escalation.
   */
  cancelAll(items: { pingId: string; at: Date }[]): void {
    for (const { pingId, at } of items) {
      this.queue.remove(jobIdOf(pingId, at)).catch((error: unknown) => {
        this.options.log.debug({ err: error, pingId }, 'could not remove an escalation job that is done; it will find its ping escalated');
      });
    }
  }

  /** schedule for several pings, in one call to Redis. */
  scheduleAll(items: { pingId: string; at: Date }[]): void {
    if (items.length === 0) return;
    const now = this.options.clock.now().getTime();
    const jobs = items.map(({ pingId, at }) => ({
      name: 'escalate',
      data: { pingId, dueAt: at.getTime() },
      opts: { jobId: jobIdOf(pingId, at), delay: Math.max(0, at.getTime() - now) },
    }));
    this.queue.addBulk(jobs).catch((error: unknown) => {
      this.options.log.debug({ err: error, count: items.length }, 'could not schedule escalation jobs; the sweep will find the pings');
    });
  }
}

/** How many pings one transaction escalates at most (a job's own and others due with it). */
export const ESCALATION_BATCH = 16;
/** A job whose ping another transaction holds looks again this much later (it is usually done by then). */
const BUSY_RETRY_MS = 1_000;

export interface EscalationDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  kickDelivery(outboxIds: string[], options?: { background?: boolean }): void;
  schedule(pingId: string, at: Date): void;
  /** schedule for several pings at once (one call to Redis); without it, one schedule call each. */
  scheduleAll?(items: { pingId: string; at: Date }[]): void;
  /** Removes the jobs of steps a batch did for them (EscalationQueue.cancelAll); without it, they run and find nothing due. */
  cancelAll?(items: { pingId: string; at: Date }[]): void;
  /** How many pings one transaction escalates at most (default ESCALATION_BATCH). */
  batch?: number;
}

export const escalationJob = defineJob({
  queue: ESCALATION_QUEUE,
  jobOptions: { attempts: 6, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: true },
  concurrency: 8,
  processor: (deps: EscalationDeps) => async (job: Job<EscalationJob>, token?: string) => {
    // Most jobs of a burst find their ping escalated, or being escalated, by another job's batch: one read says so.
    const read = await dueNow(deps, job.data.pingId);
    let busy = read.outcome === 'busy';
    let own: DueOutcome | undefined = read.outcome === 'due' || read.outcome === 'busy' ? undefined : read;
    if (!own && !busy) {
      // This job's ping and others due with it, in one transaction (processDueBatch).
      const batch = await runDueBatch(deps, { pingId: job.data.pingId, limit: deps.batch ?? ESCALATION_BATCH });
      busy = batch.busy;
      own = batch.steps.find((s) => s.pingId === job.data.pingId)?.outcome;
    }
    if (busy) {
      // Another transaction holds the ping (a click, another worker's batch): look again shortly.
      await job.moveToDelayed(deps.clock.now().getTime() + BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    if (own?.outcome === 'not-due' && own.nextDueAt && own.nextDueAt.getTime() === job.data.dueAt) {
      // Fired a moment early (clocks of processes differ by a few ms): wait for the due time.
      await job.moveToDelayed(job.data.dueAt + 50, token);
      throw new DelayedError();
    }
    // Otherwise not due because it was acknowledged, snoozed (a newer job exists) or already done.
    return own?.outcome ?? 'gone';
  },
  sweep: (deps: EscalationDeps, intervalMs) => new EscalationSweep({ ...deps, intervalMs }),
});

/** Runs one due ping and passes on what followed: deliveries to wake, the next due time to schedule. */
async function runDue(deps: EscalationDeps, pingId: string): Promise<DueOutcome> {
  const outcome = await processDuePing(deps, pingId);
  followUp(deps, [{ pingId, outcome }]);
  return outcome;
}

/**
 * Runs a batch of due pings (processDueBatch) and passes on what followed, all at once. Should the
 * batch fail (one ping's step throwing rolls back all of them), the job's own ping is run alone, so
 * one bad ping cannot hold up the others: their own jobs and the sweep run them the same way.
 */
async function runDueBatch(deps: EscalationDeps, input: { pingId?: string; dueBy?: Date; limit: number }): Promise<DueBatch> {
  let batch: DueBatch;
  try {
    batch = await processDueBatch(deps, input);
  } catch (error) {
    if (!input.pingId || input.limit <= 1) throw error;
    deps.log.warn({ err: error, pingId: input.pingId }, 'a batch of escalations failed; escalating this ping alone');
    return { steps: [{ pingId: input.pingId, outcome: await runDue(deps, input.pingId) }], busy: false };
  }
  followUp(deps, batch.steps, input.pingId);
  return batch;
}

/**
 * After commit: one delivery kick for the messages written (what can follow, in the background), one
 * call scheduling every next step, and the jobs of the steps done here removed, but for the running
 * job's own (`ownPingId`; a sweep has none): a burst of pings due together is then done in a batch
 * per job that runs, not a job per ping.
 */
function followUp(deps: EscalationDeps, steps: DueBatch['steps'], ownPingId?: string): void {
  const later = new Set(steps.flatMap((s) => ('laterOutboxIds' in s.outcome ? (s.outcome.laterOutboxIds ?? []) : [])));
  const outboxIds = steps.flatMap((s) => s.outcome.outboxIds).filter((id) => !later.has(id));
  if (outboxIds.length) deps.kickDelivery(outboxIds);
  if (later.size) deps.kickDelivery([...later], { background: true });
  const next = steps.flatMap(({ pingId, outcome }) => (outcome.outcome !== 'not-due' && outcome.nextDueAt ? [{ pingId, at: outcome.nextDueAt }] : []));
  if (deps.scheduleAll) deps.scheduleAll(next);
  else for (const { pingId, at } of next) deps.schedule(pingId, at);
  deps.cancelAll?.(steps.flatMap(({ pingId, outcome, wasDueAt }) => (pingId !== ownPingId && wasDueAt && outcome.outcome !== 'not-due' ? [{ pingId, at: wasDueAt }] : [])));
  for (const { pingId, outcome } of steps) {
    if (outcome.outcome === 'escalated' || outcome.outcome === 'exhausted' || outcome.outcome === 'reminded') {
      deps.log.info({ pingId, outcome: outcome.outcome }, 'ping escalation step');
    }
  }
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
    if (ids.length === 0) return 0;
    // Batches claimed with SKIP LOCKED, as the jobs do: lanes (and jobs still running) take different
    // pings. A batch that fails is run one ping at a time, so one bad ping holds up nothing else.
    const batch = this.options.batch ?? ESCALATION_BATCH;
    let done = 0;
    const lanes = Array.from({ length: Math.min(this.options.parallel ?? 4, Math.ceil(ids.length / batch)) }, async () => {
      while (done < ids.length) {
        const steps = await runDueBatch(this.options, { dueBy: cutoff, limit: batch })
          .then((b) => b.steps)
          .catch(async (error: unknown) => {
            this.options.log.warn({ err: error }, 'a batch of escalations failed; escalating its pings one at a time');
            for (const id of ids) await runDue(this.options, id).catch((e: unknown) => this.options.log.warn({ err: e, pingId: id }, 'escalation failed; the next sweep retries'));
            done = ids.length;
            return [];
          });
        if (steps.length === 0) return;
        done += steps.length;
      }
    });
    await Promise.all(lanes);
    return done;
  }
}

/** For the deliverer: a ping message that cannot reach its person passes the ping on (passOnUnreachable). */
export function pingUndeliverable(deps: PingDeps): UndeliverableHandler {
  return async ({ outboxId, personId, reason }) => {
    const message = await pingMessageByOutbox(deps.db, outboxId);
    if (!message) return [];
    return passOnUnreachable(deps, { pingId: message.ping_id, round: message.round, level: message.level, outboxId, personId, reason });
  };
}
