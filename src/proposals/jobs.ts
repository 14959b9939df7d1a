// Closing votes on time: a BullMQ delayed job per proposal deadline (job id = proposal and deadline, so
// re-scheduling collapses and an extension gets its own job), and a sweep that closes whatever is
// overdue when a job was lost (Redis away at opening, the clock moved, every worker down at the time).
// Closing itself is idempotent and row-locked (src/proposals/service.ts), so jobs, sweeps and several
// workers can all try: the decision is written once.
import { DelayedError, type Job, type Queue } from 'bullmq';
import { PeriodicSweep } from '../jobs/periodic.js';
import { defineJob } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import type { Services } from '../services.js';
import { overdueProposalIds } from './repo.js';
import { closeProposal, type DeadlineScheduler } from './service.js';

export const PROPOSAL_DEADLINE_QUEUE = 'steward-proposal-deadline';

export interface DeadlineJob {
  proposalId: string;
}

export function deadlineJobId(proposalId: string, deadline: Date): string {
  return `close-${proposalId}-${deadline.getTime()}`;
}

/** Schedules the close of a vote at its deadline. */
export class ProposalDeadlineQueue implements DeadlineScheduler {
  constructor(
    readonly queue: Queue<DeadlineJob>,
    private readonly services: Pick<Services, 'clock' | 'log'>,
  ) {}

  async add(proposalId: string, deadline: Date): Promise<void> {
    const delay = Math.max(0, deadline.getTime() - this.services.clock.now().getTime());
    await this.queue.add('close', { proposalId }, { jobId: deadlineJobId(proposalId, deadline), delay });
  }

  /** Fire and forget after a commit: if Redis is away, the sweep closes the vote instead. */
  schedule(proposalId: string, deadline: Date): void {
    this.add(proposalId, deadline).catch((error: unknown) => {
      this.services.log.debug({ err: error, proposalId }, 'could not schedule the proposal deadline; the sweep will close it');
    });
  }
}

export const proposalDeadlineJob = defineJob({
  queue: PROPOSAL_DEADLINE_QUEUE,
  jobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: true, removeOnFail: 100 },
  concurrency: 4,
  processor: (services: Services) => async (job: Job<DeadlineJob>, token?: string) => {
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
  sweep: (services: Services, intervalMs) => new ProposalDeadlineSweep({ services, log: services.log, intervalMs }),
});

/** Closes overdue proposals the delayed jobs missed; runs in every worker process. */
export class ProposalDeadlineSweep extends PeriodicSweep<number> {
  constructor(private readonly options: { services: Services; log: Logger; intervalMs?: number | undefined }) {
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
