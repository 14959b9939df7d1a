// The governance rhythm on BullMQ: one job scheduler per organisation (cron in its time zone) that
// triggers the digest. The database decides whether a period was posted; the scheduler only wakes us.
// A worker that starts after every worker was down catches up the latest missed period once.
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { postDueDigest, missedDigests, type DigestOutcome } from '../governance/digest/service.js';
import { readScheduleSettings } from '../governance/schedule.js';
import { queueVoteReminders } from '../governance/reminders.js';
import type { Logger } from '../log.js';

export const GOVERNANCE_QUEUE = 'steward-governance';

export interface GovernanceJob {
  orgId: string;
}

export const VOTE_REMINDER_SCHEDULER = 'vote-reminders';

export function schedulerIdFor(orgId: string): string {
  return `digest:${orgId}`;
}

export class GovernanceSchedules {
  readonly queue: Queue<GovernanceJob>;

  constructor(
    connection: Redis,
    private readonly options: { db: Db; log: Logger; prefix?: string },
  ) {
    this.queue = new Queue<GovernanceJob>(GOVERNANCE_QUEUE, { connection, ...(options.prefix ? { prefix: options.prefix } : {}) });
    this.queue.on('error', () => {});
  }

  /** Creates, updates or removes the organisation's digest scheduler to match its settings. */
  async sync(orgId: string): Promise<void> {
    const org = await this.options.db.selectFrom('organisations').select(['time_zone', 'settings']).where('id', '=', orgId).executeTakeFirst();
    const schedule = org ? readScheduleSettings(org.settings) : undefined;
    if (!org || !schedule?.digestEnabled) {
      await this.queue.removeJobScheduler(schedulerIdFor(orgId));
      return;
    }
    await this.queue.upsertJobScheduler(
      schedulerIdFor(orgId),
      { pattern: schedule.digestCron, tz: org.time_zone },
      { name: 'digest', data: { orgId }, opts: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async syncAll(): Promise<void> {
    const orgs = await this.options.db.selectFrom('organisations').select('id').execute();
    for (const org of orgs) await this.sync(org.id);
    // One scheduler for every organisation's vote reminders: it looks for deadlines coming up.
    await this.queue.upsertJobScheduler(VOTE_REMINDER_SCHEDULER, { every: 10 * 60_000 }, { name: 'vote-reminders', data: { orgId: '*' }, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }

  /** Fire and forget from a request: if Redis is away the next start-up sync catches it. */
  syncSoon(orgId: string): void {
    this.sync(orgId).catch((error: unknown) => this.options.log.warn({ err: error, orgId }, 'could not update the digest schedule; it is synced again at the next start'));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export interface GovernanceWorkerOptions {
  connection: Redis;
  prefix?: string;
  db: Db;
  clock: Clock;
  log: Logger;
  /** Delivers the outbox rows a digest wrote. */
  kickDelivery(outboxIds: string[]): void;
}

export async function runDigestJob(options: Pick<GovernanceWorkerOptions, 'db' | 'clock' | 'log' | 'kickDelivery'>, orgId: string): Promise<DigestOutcome> {
  const outcome = await postDueDigest({ db: options.db }, orgId, options.clock.now());
  if (outcome.status === 'posted') options.kickDelivery(outcome.outboxIds);
  if (outcome.status === 'no-governance-channel') {
    options.log.warn({ orgId }, 'digest due but the organisation has no governance channel (an admin sets one with `governance here`)');
  }
  return outcome;
}

export function startGovernanceWorker(options: GovernanceWorkerOptions): Worker<GovernanceJob> {
  const worker = new Worker<GovernanceJob>(
    GOVERNANCE_QUEUE,
    async (job: Job<GovernanceJob>) => {
      if (job.name === 'vote-reminders') {
        const ids = await queueVoteReminders(options.db, options.clock.now());
        options.kickDelivery(ids);
        return `reminders:${ids.length}`;
      }
      return (await runDigestJob(options, job.data.orgId)).status;
    },
    { connection: options.connection, concurrency: 4, ...(options.prefix ? { prefix: options.prefix } : {}) },
  );
  worker.on('error', () => {});
  return worker;
}

/** Posts, once, the latest period every worker missed (e.g. all were down at 09:00). */
export async function catchUpDigests(options: Pick<GovernanceWorkerOptions, 'db' | 'clock' | 'log' | 'kickDelivery'>): Promise<number> {
  let posted = 0;
  for (const orgId of await missedDigests(options.db, options.clock.now())) {
    const outcome = await runDigestJob(options, orgId);
    if (outcome.status === 'posted') {
      posted++;
      options.log.info({ orgId, period: outcome.periodKey }, 'caught up a missed digest');
    }
  }
  return posted;
}
