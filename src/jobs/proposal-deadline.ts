// Closing votes on time: a BullMQ delayed job per proposal deadline (job id = proposal and deadline, so
// re-scheduling collapses and an extension gets its own job), and a sweep that closes whatever is
// overdue when a job was lost (Redis away at opening, the clock moved, every worker down at the time).
// Closing itself is idempotent and row-locked (src/proposals/service.ts), so jobs, sweeps and several
// workers can all try: the decision is written once.
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { overdueProposalIds } from '../proposals/repo.js';
import { closeProposal, type DeadlineScheduler } from '../proposals/service.js';
import type { Services } from '../services.js';
import { PeriodicSweep } from './periodic.js';

export const PROPOSAL_DEADLINE_QUEUE = 'steward-proposal-deadline';

export interface DeadlineJob {
  proposalId: string;
}

export function deadlineJobId(proposalId: string, deadline: Date): string {
  return `close-${proposalId}-${deadline.getTime()}`;
}

export class ProposalDeadlineQueue implements DeadlineScheduler {
  readonly queue: Queue<DeadlineJob>;

  constructor(
    connection: Redis,
    private readonly options: { services: Pick<Services, 'clock' | 'log'>; prefix?: string },
  ) {
    this.queue = new Queue<DeadlineJob>(PROPOSAL_DEADLINE_QUEUE, { connection, ...(options.prefix ? { prefix: options.prefix } : {}) });
    this.queue.on('error', () => {});
  }

  async add(proposalId: string, deadline: Date): Promise<void> {
    const delay = Math.max(0, deadline.getTime() - this.options.services.clock.now().getTime());
    await this.queue.add(
      'close',
      { proposalId },
      { jobId: deadlineJobId(proposalId, deadline), delay, attempts: 5, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: true, removeOnFail: 100 },
    );
  }

  /** Fire and forget after a commit: if Redis is away, the sweep closes the vote instead. */
  schedule(proposalId: string, deadline: Date): void {
    this.add(proposalId, deadline).catch((error: unknown) => {
      this.options.services.log.debug({ err: error, proposalId }, 'could not schedule the proposal deadline; the sweep will close it');
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export function startProposalDeadlineWorker(options: { connection: Redis; prefix?: string; services: Services }): Worker<DeadlineJob> {
  const { services } = options;
  const worker = new Worker<DeadlineJob>(
    PROPOSAL_DEADLINE_QUEUE,
    async (job: Job<DeadlineJob>, token?: string) => {
      const result = await closeProposal(services, job.data.proposalId);
      if (result.status === 'not-due') {
        // Redis and this process disagree about the time by a little: come back when it is due.
        const wait = Math.max(1_000, result.deadline.getTime() - services.clock.now().getTime());
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
      if (result.status === 'closed') services.log.info({ proposalId: job.data.proposalId, outcome: result.outcome }, 'proposal closed at its deadline');
      return result.status;
    },
    { connection: options.connection, concurrency: 4, ...(options.prefix ? { prefix: options.prefix } : {}) },
  );
  worker.on('error', () => {});
  return worker;
}

/** Closes overdue proposals the delayed jobs missed; runs in every worker process. */
export class ProposalDeadlineSweep extends PeriodicSweep<number> {
  constructor(private readonly options: { services: Services; log: Logger; intervalMs?: number }) {
    super({
      intervalMs: options.intervalMs ?? 15_000,
      busy: 0,
      onError: (error: unknown) => options.log.warn({ err: error }, 'proposal deadline sweep failed; next round retries'),
    });
  }

  protected async pass(): Promise<number> {
    const { services } = this.options;
    let closed = 0;
    for (const id of await overdueProposalIds(services.db, services.clock.now(), 100)) {
      const result = await closeProposal(services, id);
      if (result.status === 'closed') closed++;
    }
    if (closed) this.options.log.info({ closed }, 'closed overdue proposals');
    return closed;
  }
}
