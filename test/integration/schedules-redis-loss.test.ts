// The job schedulers live in Redis but are decided by Postgres: after Redis comes back empty the
// periodic reconciliation re-creates them within a few sweep intervals, and the digest whose slot
// passed meanwhile is still posted in its period, once.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { Db } from '../../src/db/database.js';
import { catchUpDigests, GOVERNANCE_QUEUE, schedulerIdFor, VOTE_REMINDER_SCHEDULER } from '../../src/governance/jobs.js';
import { upsertConversation } from '../../src/orgs/conversations.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { PrivateRedis } from '../support/redis-server.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil } from '../support/wait.js';

const SWEEP_MS = 250;
// Wednesday 3 March 2027; the digest slots are Mondays 09:00 in Amsterdam (08:00 UTC in winter).
const WEDNESDAY = new Date('2027-03-03T12:00:00Z');
const FIRST_SLOT = '2027-03-01T08:00:00.000Z';
const NEXT_SLOT = '2027-03-08T08:00:00.000Z';

async function organisationWithDigest(db: Db): Promise<string> {
  const org = await orgsRepo.createOrganisation(db, 'Acme');
  await orgsRepo.upsertInstallation(db, org.id, 'slack', 'T0001', 'acme');
  const conversationId = await upsertConversation(db, { orgId: org.id, platform: 'slack', installationExternalId: 'T0001', externalId: 'C0GOV', kind: 'channel', name: 'cx-governance' });
  const settings = { governanceChannels: [conversationId], governanceSchedule: { digestEnabled: true, digestCron: '0 9 * * 1' } };
  await db
    .updateTable('organisations')
    .set({ time_zone: 'Europe/Amsterdam', settings: sql`settings || ${JSON.stringify(settings)}::jsonb` })
    .where('id', '=', org.id)
    .execute();
  return org.id;
}

const digestPosts = (slack: FakeSlack) => slack.posted().filter((m) => m.text.startsWith('Governance digest'));

describe('job schedulers after Redis comes back empty', () => {
  let redis: PrivateRedis | undefined;
  let t: TestSteward | undefined;
  let queue: Queue | undefined;
  let admin: Redis | undefined;

  afterEach(async () => {
    await queue?.close();
    admin?.disconnect();
    await t?.close();
    await redis?.stop();
    queue = admin = t = redis = undefined;
  });

  it('re-creates the digest and reminder schedulers and posts the digest whose slot passed, once', async () => {
    redis = await PrivateRedis.start();
    const clock = new ManualClock(WEDNESDAY);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    t = await startTestSteward({ redisUrl: redis.url, clock, extra: { log, sweepIntervalMs: SWEEP_MS } });
    const { db } = t.database;
    const steward = t.steward;
    admin = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(GOVERNANCE_QUEUE, { connection: admin, prefix: t.queuePrefix });
    const q = queue;

    // An organisation whose digest schedule was saved (as `schedule digest` does) and whose period
    // so far was posted.
    const orgId = await organisationWithDigest(db);
    steward.services.syncSchedules(orgId);
    await waitUntil('the digest scheduler exists', async () => (await q.getJobScheduler(schedulerIdFor(orgId)))?.pattern === '0 9 * * 1');
    expect(await q.getJobScheduler(schedulerIdFor(orgId))).toMatchObject({ pattern: '0 9 * * 1', tz: 'Europe/Amsterdam' });
    await waitUntil('the reminder scheduler exists', async () => (await q.getJobScheduler(VOTE_REMINDER_SCHEDULER)) !== undefined);
    await catchUpDigests({ db, clock, log, kickDelivery: (ids) => steward.services.kickDelivery(ids) });
    await t.slack.waitFor(() => digestPosts(t!.slack).length === 1, 10_000);

    // Monday's 09:00 slot passes (the schedulers fire on real time, so only the reconciliation can
    // post it) and Redis loses everything.
    clock.set('2027-03-08T08:30:00Z');
    const flushedAt = lines.length;
    await admin.flushall();
    expect(await q.getJobScheduler(schedulerIdFor(orgId))).toBeUndefined();

    await waitUntil('the digest scheduler is back', async () => (await q.getJobScheduler(schedulerIdFor(orgId)))?.pattern === '0 9 * * 1', 10 * SWEEP_MS);
    expect(await q.getJobScheduler(schedulerIdFor(orgId))).toMatchObject({ pattern: '0 9 * * 1', tz: 'Europe/Amsterdam' });
    await waitUntil('the reminder scheduler is back', async () => (await q.getJobScheduler(VOTE_REMINDER_SCHEDULER))?.every === 10 * 60_000, 10 * SWEEP_MS);
    await t.slack.waitFor(() => digestPosts(t!.slack).length === 2, 10_000);

    // More passes change nothing: no second post, no second fix.
    await new Promise((resolve) => setTimeout(resolve, 8 * SWEEP_MS));
    expect(digestPosts(t.slack)).toHaveLength(2);
    const runs = await db.selectFrom('governance_runs').select('period_key').where('org_id', '=', orgId).where('kind', '=', 'digest').orderBy('period_key').execute();
    expect(runs.map((r) => r.period_key)).toEqual([FIRST_SLOT, NEXT_SLOT]);
    const fixes = lines
      .slice(flushedAt)
      .map((line) => JSON.parse(line) as { level: number; schedulerId?: string })
      .filter((entry) => entry.level === 30 && entry.schedulerId !== undefined);
    expect(fixes.map((entry) => entry.schedulerId).sort()).toEqual([schedulerIdFor(orgId), VOTE_REMINDER_SCHEDULER].sort());
  });

  it('puts back a changed scheduler, removes one no organisation wants, and leaves matching ones alone', async () => {
    redis = await PrivateRedis.start();
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    t = await startTestSteward({ redisUrl: redis.url, clock: new ManualClock(WEDNESDAY), extra: { log, sweepIntervalMs: SWEEP_MS } });
    admin = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(GOVERNANCE_QUEUE, { connection: admin, prefix: t.queuePrefix });
    const q = queue;
    const orgId = await organisationWithDigest(t.database.db);
    t.steward.services.syncSchedules(orgId);
    await waitUntil('the digest scheduler exists', async () => (await q.getJobScheduler(schedulerIdFor(orgId)))?.pattern === '0 9 * * 1');
    await waitUntil('the reminder scheduler exists', async () => (await q.getJobScheduler(VOTE_REMINDER_SCHEDULER)) !== undefined);

    // Let the passes that raced the sync above finish before anything is changed.
    await new Promise((resolve) => setTimeout(resolve, 3 * SWEEP_MS));

    const stray = schedulerIdFor('6f1c1f0e-1d2b-4c3a-9e8f-0a1b2c3d4e5f');
    const changedAt = lines.length;
    await q.upsertJobScheduler(schedulerIdFor(orgId), { pattern: '0 7 * * 3', tz: 'UTC' }, { name: 'digest', data: { orgId } });
    await q.upsertJobScheduler(stray, { pattern: '0 9 * * 1', tz: 'UTC' }, { name: 'digest', data: { orgId: 'gone' } });

    await waitUntil('the digest scheduler follows the database again', async () => (await q.getJobScheduler(schedulerIdFor(orgId)))?.pattern === '0 9 * * 1', 10 * SWEEP_MS);
    await waitUntil('the stray scheduler is removed', async () => (await q.getJobScheduler(stray)) === undefined, 10 * SWEEP_MS);
    expect(await q.getJobScheduler(schedulerIdFor(orgId))).toMatchObject({ tz: 'Europe/Amsterdam' });
    await new Promise((resolve) => setTimeout(resolve, 6 * SWEEP_MS));
    // Every change a pass makes is logged: the two fixes, each once, and nothing for what matched.
    const fixes = lines
      .slice(changedAt)
      .map((line) => JSON.parse(line) as { level: number; schedulerId?: string; fix?: string })
      .filter((entry) => entry.level === 30 && entry.schedulerId !== undefined)
      .map(({ schedulerId, fix }) => `${fix} ${schedulerId}`);
    expect(fixes.sort()).toEqual([`removed ${stray}`, `updated ${schedulerIdFor(orgId)}`].sort());
  });
});
