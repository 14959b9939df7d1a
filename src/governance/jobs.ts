// The governance rhythm on BullMQ: one job scheduler per organisation (cron in its time zone) that
// triggers the digest, and one for every organisation's vote reminders. The database decides whether
// a period was posted; the scheduler only wakes us. A worker that starts after every worker was down
// catches up the latest missed period once.
import type { Job, Queue } from 'bullmq';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { defineJob } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import { findOrganisationSchedule, organisationIds } from '../orgs/repo.js';
import { queueVoteReminders } from './reminders.js';
import { readScheduleSettings } from './schedule.js';
import { missedDigests, postDueDigest, type DigestOutcome } from './digest/service.js';

export const GOVERNANCE_QUEUE = 'steward-governance';

export interface GovernanceJob {
  orgId: string;
}

export const VOTE_REMINDER_SCHEDULER = 'vote-reminders';

export function schedulerIdFor(orgId: string): string {
  return `digest:${orgId}`;
}

/** Keeps the job schedulers in Redis in line with the settings in Postgres. */
export class GovernanceSchedules {
  constructor(
    readonly queue: Queue<GovernanceJob>,
    private readonly options: { db: Db; log: Logger },
  ) {}

  /** Creates, updates or removes the organisation's digest scheduler to match its settings. */
  async sync(orgId: string): Promise<void> {
    const org = await findOrganisationSchedule(this.options.db, orgId);
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
    for (const orgId of await organisationIds(this.options.db)) await this.sync(orgId);
    // One scheduler for every organisation's vote reminders: it looks for deadlines coming up.
    await this.queue.upsertJobScheduler(VOTE_REMINDER_SCHEDULER, { every: 10 * 60_000 }, { name: 'vote-reminders', data: { orgId: '*' }, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }

  /** Fire and forget from a request: if Redis is away the next start-up sync catches it. */
  syncSoon(orgId: string): void {
    this.sync(orgId).catch((error: unknown) => this.options.log.warn({ err: error, orgId }, 'could not update the digest schedule; it is synced again at the next start'));
  }
}

export interface DigestJobDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Delivers the outbox rows a digest wrote. */
  kickDelivery(outboxIds: string[]): void;
}

export interface GovernanceJobDeps extends DigestJobDeps {
  schedules: GovernanceSchedules;
}

export const governanceJob = defineJob({
  queue: GOVERNANCE_QUEUE,
  concurrency: 4,
  processor: (deps: GovernanceJobDeps) => async (job: Job<GovernanceJob>) => {
    if (job.name === 'vote-reminders') {
      const ids = await queueVoteReminders(deps.db, deps.clock.now());
      deps.kickDelivery(ids);
      return `reminders:${ids.length}`;
    }
    return (await runDigestJob(deps, job.data.orgId)).status;
  },
  // Schedules follow the settings in the database; a worker that was away posts what it missed, once.
  onStart: async (deps: GovernanceJobDeps) => {
    await Promise.all([
      deps.schedules.syncAll().catch((error: unknown) => deps.log.warn({ err: error }, 'could not sync digest schedules (Redis away?); retried at next start')),
      catchUpDigests(deps).catch((error: unknown) => deps.log.warn({ err: error }, 'digest catch-up failed')),
    ]);
  },
});

/** Organisations told about their missing governance channel in this process (see runDigestJob). */
const orgsWithoutChannelHinted = new Set<string>();

export async function runDigestJob(deps: DigestJobDeps, orgId: string): Promise<DigestOutcome> {
  const outcome = await postDueDigest({ db: deps.db }, orgId, deps.clock.now());
  if (outcome.status === 'posted') deps.kickDelivery(outcome.outboxIds);
  if (outcome.status === 'no-governance-channel' && !orgsWithoutChannelHinted.has(orgId)) {
    // Normal for a new or demo organisation, not a fault: said once per process, with what to do.
    orgsWithoutChannelHinted.add(orgId);
    deps.log.info(
      { orgId },
      'hint: this organisation has no governance channel yet, so its weekly digest is not posted. An admin writes `governance here` in the channel (Slack `/cx governance here`), or runs `npx steward settings channel --help`',
    );
  }
  return outcome;
}

/** Posts, once, the latest period every worker missed (e.g. all were down at 09:00). */
export async function catchUpDigests(deps: DigestJobDeps): Promise<number> {
  let posted = 0;
  for (const orgId of await missedDigests(deps.db, deps.clock.now())) {
    const outcome = await runDigestJob(deps, orgId);
    if (outcome.status === 'posted') {
      posted++;
      deps.log.info({ orgId, period: outcome.periodKey }, 'caught up a missed digest');
    }
  }
  return posted;
}
