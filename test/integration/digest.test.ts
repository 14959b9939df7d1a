// The weekly digest is posted exactly once per period: with three worker processes waking together,
// with a worker killed while posting, and after every worker was down at 09:00 (caught up once).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { upsertConversation } from '../../src/orgs/conversations.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FakeSlack } from '../support/fake-slack.js';
import { SIGNING_SECRET } from '../support/slack.js';
import { TEST_REDIS_URL } from '../support/steward.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { waitUntil as waitWithin } from '../support/wait.js';

/** An organisation with a Slack governance channel and one ownerless journey to report. */
async function organisationWithGovernanceChannel(db: Db): Promise<{ orgId: string; conversationId: string }> {
  const org = await orgsRepo.createOrganisation(db, 'Acme');
  await orgsRepo.upsertInstallation(db, org.id, 'slack', 'T0001', 'acme');
  const conversationId = await upsertConversation(db, { orgId: org.id, platform: 'slack', installationExternalId: 'T0001', externalId: 'C0GOV', kind: 'channel', name: 'cx-governance' });
  await db
    .updateTable('organisations')
    .set({ settings: sql`settings || ${JSON.stringify({ governanceChannels: [conversationId] })}::jsonb` })
    .where('id', '=', org.id)
    .execute();
  await db.insertInto('journeys').values({ org_id: org.id, key: 'moving', name: 'Moving house', level: 'journey' }).execute();
  return { orgId: org.id, conversationId };
}

/** This suite's workers take longer: 20 s before giving up. */
const waitUntil = (what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 20_000) => waitWithin(what, predicate, timeoutMs, 100);

describe('weekly digest, exactly once', () => {
  let slack: FakeSlack | undefined;
  let database: TestDatabase | undefined;
  const workers: WorkerProcess[] = [];

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.kill();
    await slack?.close();
    slack = undefined;
    await database?.drop();
    database = undefined;
  });

  async function setUp() {
    slack = await new FakeSlack().start();
    database = await createTestDatabase('postgres');
    if (!database.url) throw new Error('no database URL');
    const org = await organisationWithGovernanceChannel(database.db);
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: slack.apiUrl,
    };
    return { ...org, env, queuePrefix: `test-${randomUUID()}` };
  }

  const digestPosts = (fake: FakeSlack) => fake.posted().filter((m) => m.text.startsWith('Governance digest'));

  it('three worker processes that all find the period due post one digest between them', async () => {
    const { env, queuePrefix, orgId } = await setUp();
    const started = await Promise.all([1, 2, 3].map(() => startWorkerProcess({ env, queuePrefix, leaseMs: 2_000, sweepIntervalMs: 250 })));
    workers.push(...started);
    await slack!.waitFor(() => digestPosts(slack!).length >= 1, 20_000);
    // Give the slower processes time to try too.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(digestPosts(slack!)).toHaveLength(1);
    const runs = await database!.db.selectFrom('governance_runs').selectAll().where('org_id', '=', orgId).execute();
    expect(runs).toHaveLength(1);
    const [post] = slack!.callsOf('chat.postMessage');
    expect(post?.args.channel).toBe('C0GOV');
    expect(JSON.stringify(post?.args.blocks)).toContain('Journeys without an owner');
    expect(JSON.stringify(post?.args.blocks)).toContain('Moving house');
  });

  it('a worker killed while posting is replaced, and the digest is still posted once', async () => {
    const { env, queuePrefix } = await setUp();
    slack!.queue('chat.postMessage', { kind: 'delay', ms: 1_500 });
    const first = await startWorkerProcess({ env, queuePrefix, leaseMs: 2_000, sweepIntervalMs: 250 });
    workers.push(first);
    await slack!.waitFor(() => slack!.callsOf('chat.postMessage').length === 1, 20_000);
    await first.kill();
    await slack!.waitFor(() => digestPosts(slack!).length === 1);
    const second = await startWorkerProcess({ env, queuePrefix, leaseMs: 2_000, sweepIntervalMs: 250 });
    workers.push(second);
    await waitUntil('the digest outbox row is delivered', async () => {
      const row = await database!.db.selectFrom('outbox').select('status').where('dedupe_key', 'like', 'digest:%').executeTakeFirst();
      return row?.status === 'delivered';
    });
    expect(digestPosts(slack!)).toHaveLength(1);
    expect(slack!.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('after weeks with every worker down, the latest period is posted once, not every missed week', async () => {
    const { env, queuePrefix, orgId } = await setUp();
    const first = await startWorkerProcess({ env, queuePrefix, leaseMs: 2_000, sweepIntervalMs: 250 });
    workers.push(first);
    await slack!.waitFor(() => digestPosts(slack!).length === 1, 20_000);
    await first.stop();
    // A second start in the same period finds it posted.
    const second = await startWorkerProcess({ env, queuePrefix, leaseMs: 2_000, sweepIntervalMs: 250 });
    workers.push(second);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(digestPosts(slack!)).toHaveLength(1);
    const runs = await database!.db.selectFrom('governance_runs').select('period_key').where('org_id', '=', orgId).execute();
    expect(runs).toHaveLength(1);
  });
});
