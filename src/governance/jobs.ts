// The governance rhythm on BullMQ: one job scheduler per organisation (cron in its time zone) that
// triggers the digest, and one for every organisation's vote reminders. The database decides whether
// a period was posted and which schedulers should exist; Redis only wakes us. A reconciliation sweep
// puts back what Redis lost (a flush, a new empty Redis) and catches up the latest missed period once.
import type { Job, Queue } from 'bullmq';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { PeriodicSweep } from '../jobs/periodic.js';
import { defineJob } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import { findOrganisationSchedule } from '../orgs/repo.js';
import { queueVoteReminders } from './reminders.js';
import { allOrgSettings } from './repo.js';
import { readScheduleSettings } from './schedule.js';
import { missedDigests, postDueDigest, type DigestOutcome } from './digest/service.js';

export const GOVERNANCE_QUEUE = 'steward-governance';

export interface GovernanceJob {
  orgId: string;
}

export const VOTE_REMINDER_SCHEDULER = 'vote-reminders';

const DIGEST_SCHEDULER_PREFIX = 'digest:';

export function schedulerIdFor(orgId: string): string {
  return `${DIGEST_SCHEDULER_PREFIX}${orgId}`;
}

type Repeat = { pattern: string; tz: string } | { every: number };

/** A job scheduler as the database wants it. */
interface WantedScheduler {
  id: string;
  repeat: Repeat;
  template: { name: string; data: GovernanceJob; opts: { attempts?: number; backoff?: { type: 'exponential'; delay: number }; removeOnComplete: number; removeOnFail: number } };
}

/** What one reconciliation changed in Redis. */
export interface ScheduleFix {
  schedulerId: string;
  fix: 'created' | 'updated' | 'removed';
}

function digestScheduler(org: { id: string; time_zone: string; settings: Record<string, unknown> }): WantedScheduler | undefined {
  const schedule = readScheduleSettings(org.settings);
  if (!schedule.digestEnabled) return undefined;
  return {
    id: schedulerIdFor(org.id),
    repeat: { pattern: schedule.digestCron, tz: org.time_zone },
    template: { name: 'digest', data: { orgId: org.id }, opts: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: 100, removeOnFail: 100 } },
  };
}

// One scheduler for every organisation's vote reminders: it looks for deadlines coming up.
const VOTE_REMINDERS: WantedScheduler = {
  id: VOTE_REMINDER_SCHEDULER,
  repeat: { every: 10 * 60_000 },
  template: { name: 'vote-reminders', data: { orgId: '*' }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
};

function sameRepeat(present: { pattern?: string; tz?: string; every?: number }, wanted: Repeat): boolean {
  if ('every' in wanted) return present.every === wanted.every && present.pattern === undefined;
  return present.pattern === wanted.pattern && present.tz === wanted.tz;
}

/** Keeps the job schedulers in Redis in line with the settings in Postgres. */
export class GovernanceSchedules {
  private fixCount = 0;
  private lostCount = 0;
  // Schedulers this process knows Redis held: one of them missing later means Redis lost it (a flush,
  // a new empty Redis), and a digest slot may have passed meanwhile. A scheduler never seen (a new
  // organisation's) is only created: its organisation missed nothing.
  private readonly heldByRedis = new Set<string>();

  constructor(
    readonly queue: Queue<GovernanceJob>,
    private readonly options: { db: Db; log: Logger },
  ) {}

  /** Creates, updates or removes the organisation's digest scheduler to match its settings. */
  async sync(orgId: string): Promise<void> {
    const wanted = await this.digestSchedulerNow(orgId);
    if (wanted) await this.upsert(wanted);
    else await this.queue.removeJobScheduler(schedulerIdFor(orgId));
  }

  /**
   * Compares every scheduler the database wants with what Redis holds and changes only what differs:
   * a blind upsert every pass would rewrite each scheduler's next job all the time.
   */
  async reconcile(): Promise<ScheduleFix[]> {
    const wanted = [VOTE_REMINDERS];
    for (const org of await allOrgSettings(this.options.db)) {
      const scheduler = digestScheduler(org);
      if (scheduler) wanted.push(scheduler);
    }
    const fixes: ScheduleFix[] = [];
    for (const listed of wanted) {
      const present = await this.queue.getJobScheduler(listed.id);
      if (!present && this.heldByRedis.has(listed.id)) this.lostCount++;
      if (present && sameRepeat(present, listed.repeat)) {
        this.heldByRedis.add(listed.id);
        continue;
      }
      // Read the organisation again: a settings change synced since the list above must not be undone.
      const scheduler = listed === VOTE_REMINDERS ? listed : await this.digestSchedulerNow(listed.template.data.orgId);
      if (!scheduler || (present && sameRepeat(present, scheduler.repeat))) continue;
      await this.upsert(scheduler);
      fixes.push(this.fixed({ schedulerId: scheduler.id, fix: present ? 'updated' : 'created' }));
    }
    const wantedIds = new Set(wanted.map((scheduler) => scheduler.id));
    for (const present of await this.queue.getJobSchedulers(0, -1)) {
      if (!present.key.startsWith(DIGEST_SCHEDULER_PREFIX) || wantedIds.has(present.key)) continue;
      // Likewise: an organisation created or re-enabled since the list above keeps its scheduler.
      if (await this.digestSchedulerNow(present.key.slice(DIGEST_SCHEDULER_PREFIX.length))) continue;
      await this.queue.removeJobScheduler(present.key);
      fixes.push(this.fixed({ schedulerId: present.key, fix: 'removed' }));
    }
    return fixes;
  }

  /** Fire and forget from a request: if Redis is away the reconciliation sweep catches it. */
  syncSoon(orgId: string): void {
    this.sync(orgId).catch((error: unknown) => this.options.log.warn({ err: error, orgId }, 'could not update the digest schedule; the reconciliation sweep retries it'));
  }

  /** How many schedulers reconcile() has fixed so far, including in a pass that failed later on. */
  get fixesMade(): number {
    return this.fixCount;
  }

  /** How many schedulers reconcile() found lost by Redis so far (held before, missing now). */
  get lossesFound(): number {
    return this.lostCount;
  }

  private fixed(fix: ScheduleFix): ScheduleFix {
    this.fixCount++;
    this.options.log.info(fix, 'job scheduler out of line with the database; fixed');
    return fix;
  }

  private async digestSchedulerNow(orgId: string): Promise<WantedScheduler | undefined> {
    // A key that is no organisation id would make the uuid column refuse the query, every pass.
    if (!z.guid().safeParse(orgId).success) return undefined;
    const org = await findOrganisationSchedule(this.options.db, orgId);
    return org ? digestScheduler({ id: orgId, ...org }) : undefined;
  }

  private async upsert(scheduler: WantedScheduler): Promise<void> {
    await this.queue.upsertJobScheduler(scheduler.id, scheduler.repeat, scheduler.template);
    this.heldByRedis.add(scheduler.id);
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
  sweep: (deps: GovernanceJobDeps, intervalMs) => new ScheduleReconciliation({ ...deps, intervalMs }),
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

/**
 * Puts the job schedulers back in line with Postgres (its first pass, at start, is the start-up sync)
 * and catches up the digests: at start, since every worker may have been down at the slot, and after
 * any fix, since a slot may have passed while its scheduler was missing.
 */
export class ScheduleReconciliation extends PeriodicSweep<ScheduleFix[]> {
  private catchUpDue = true;

  constructor(private readonly deps: GovernanceJobDeps & { intervalMs?: number | undefined }) {
    super({
      intervalMs: deps.intervalMs ?? 60_000,
      busy: [],
      onError: (error: unknown) => deps.log.warn({ err: error }, 'schedule reconciliation pass failed'),
    });
  }

  protected async pass(): Promise<ScheduleFix[]> {
    // The catch-up needs only the database, so Redis being away does not hold it up.
    const due = this.catchUpDue;
    const lossesBefore = this.deps.schedules.lossesFound;
    const [fixes] = await Promise.all([this.reconcile(), due ? this.catchUp() : undefined]);
    // Only a scheduler Redis lost can have skipped a slot; a new organisation's first one did not.
    if (this.deps.schedules.lossesFound > lossesBefore && !due) await this.catchUp();
    return fixes;
  }

  private async reconcile(): Promise<ScheduleFix[]> {
    try {
      return await this.deps.schedules.reconcile();
    } catch (error) {
      // Redis away: the queue's own error log says so; the next pass compares again.
      this.deps.log.debug({ err: error }, 'could not compare the job schedulers with the database');
      return [];
    }
  }

  private async catchUp(): Promise<void> {
    this.catchUpDue = true;
    try {
      await catchUpDigests(this.deps);
      this.catchUpDue = false;
    } catch (error) {
      this.deps.log.warn({ err: error }, 'digest catch-up failed; retried at the next pass');
    }
  }
}
