// `/cx digest preview` and `/cx schedule` through /slack/events as Slack sends them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { GOVERNANCE_QUEUE, schedulerIdFor } from '../../src/governance/jobs.js';
import { grantRole } from '../../src/orgs/service.js';
import { postSlack, slashCommandBody } from '../support/slack.js';
import { startTestSteward, TEST_REDIS_URL, type TestSteward } from '../support/steward.js';

describe('Slack: digest preview and schedule', () => {
  let t: TestSteward;
  let admin: { personId: string; orgId: string };

  const command = async (text: string, user = 'UADMIN01') => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/cx', text, user_id: user, response_url: t.slack.responseUrl(text) }));
    expect(response.status).toBe(200);
    return JSON.stringify(await response.json());
  };

  beforeAll(async () => {
    t = await startTestSteward();
    await command('help');
    const row = await t.database.db
      .selectFrom('identities')
      .innerJoin('people', 'people.id', 'identities.person_id')
      .select(['people.id', 'people.org_id'])
      .where('external_user_id', '=', 'UADMIN01')
      .executeTakeFirstOrThrow();
    admin = { personId: row.id, orgId: row.org_id };
    await grantRole(t.database.db, admin.personId, { orgId: admin.orgId, role: 'admin', byLabel: 'test' });
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the actor cache holds roles for 2 s
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows an admin the digest now, privately', async () => {
    const body = await command('digest preview');
    expect(body).toContain('ephemeral');
    expect(body).toContain('Preview: Governance digest');
    expect(body).toContain('Next posted');
  });

  it('refuses the preview to someone who is not an admin', async () => {
    const body = await command('digest preview', 'UOTHER01');
    expect(body).toContain('Only admins can preview the digest');
  });

  it('shows the schedule to anyone, in words and in the organisation\'s time zone', async () => {
    const body = await command('schedule', 'UOTHER01');
    expect(body).toContain('every Monday at 09:00');
    expect(body).toContain('Europe/Amsterdam');
  });

  it('lets an admin move the digest, and the BullMQ scheduler follows', async () => {
    const body = await command('schedule digest "30 8 * * 2"');
    expect(body).toContain('every Tuesday at 08:30');
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(GOVERNANCE_QUEUE, { connection, prefix: t.queuePrefix });
    try {
      let scheduler: Awaited<ReturnType<typeof queue.getJobScheduler>> | undefined;
      for (let i = 0; i < 50 && scheduler?.pattern !== '30 8 * * 2'; i++) {
        scheduler = await queue.getJobScheduler(schedulerIdFor(admin.orgId));
        if (scheduler?.pattern !== '30 8 * * 2') await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(scheduler).toMatchObject({ pattern: '30 8 * * 2', tz: 'Europe/Amsterdam' });
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('refuses a malformed schedule with the reason, and changes nothing', async () => {
    const body = await command('schedule digest "every monday"');
    expect(body).toContain('five-field cron pattern');
    expect(await command('schedule')).toContain('every Tuesday at 08:30');
    expect(await command('schedule timezone Mars/Olympus')).toContain('IANA time zone');
  });

  it('refuses schedule changes from someone who is not an admin', async () => {
    const body = await command('schedule digest off', 'UOTHER01');
    expect(body).toContain('Only admins can change the schedule');
  });
});
