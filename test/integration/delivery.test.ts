// The outbox promise, against real Postgres and real Redis: a message written to the outbox reaches
// Slack exactly once, whatever happens to the worker, to Redis or to Slack's rate limits meanwhile.
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { para, type Card } from '../../src/chat/card.js';
import { systemClock } from '../../src/clock.js';
import type { Db } from '../../src/db/database.js';
import { claimForSending, enqueueMessage, markDelivered } from '../../src/delivery/outbox-repo.js';
import { DELIVERY_QUEUE, DeliveryQueue, deliveryJob } from '../../src/delivery/jobs.js';
import { JobRegistry } from '../../src/jobs/registry.js';
import { redisConnection } from '../../src/jobs/redis.js';
import { createLogger } from '../../src/log.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { waitForDrain } from '../support/drain.js';
import { FakeSlack } from '../support/fake-slack.js';
import { PrivateRedis } from '../support/redis-server.js';
import { postSlack, SIGNING_SECRET, slashCommandBody } from '../support/slack.js';
import { startTestSteward, TEST_REDIS_URL, type TestSteward } from '../support/steward.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { waitUntil as waitWithin } from '../support/wait.js';

const card = (text: string): Card => ({ title: 'Ping', blocks: [para(text)], summary: text });

/** An organisation with one person who uses Steward on Slack as U0001 in T0001. */
async function slackPerson(db: Db): Promise<{ orgId: string; personId: string }> {
  const org = await orgsRepo.createOrganisation(db, 'Acme');
  await orgsRepo.upsertInstallation(db, org.id, 'slack', 'T0001', 'acme');
  const person = await orgsRepo.createPerson(db, org.id, 'Ann Peeters', 'ann@example.com');
  await orgsRepo.addIdentity(db, person.id, 'slack', 'T0001', 'U0001');
  return { orgId: org.id, personId: person.id };
}

/** Writes one message to the outbox the way a capability does: inside a transaction. */
async function writeMessage(db: Db, orgId: string, personId: string, text: string, notBefore?: Date): Promise<string> {
  const id = await db.transaction().execute((trx) =>
    enqueueMessage(trx, { orgId, dedupeKey: `test:${randomUUID()}`, target: { kind: 'person', personId }, card: card(text), ...(notBefore ? { notBefore } : {}) }),
  );
  if (!id) throw new Error('the outbox ignored a new message');
  return id;
}

async function outboxRow(db: Db, id: string) {
  return db.selectFrom('outbox').select(['status', 'attempts', 'delivered_ref', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();
}

/** This suite's workers take longer: 30 s before giving up. */
const waitUntil = (what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 30_000) => waitWithin(what, predicate, timeoutMs);

const postedTexts = (slack: FakeSlack) => slack.posted().map((m) => m.text);

describe('delivery: a worker killed mid-job', () => {
  let slack: FakeSlack | undefined;
  let database: TestDatabase | undefined;
  let jobs: JobRegistry | undefined;
  let t: TestSteward | undefined;
  const workers: WorkerProcess[] = [];

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.kill();
    await jobs?.close();
    jobs = undefined;
    await slack?.close();
    slack = undefined;
    await database?.drop();
    database = undefined;
    await t?.close();
    t = undefined;
  });

  it('does not post again when the killed worker\'s message had reached Slack: the next worker finds it in the history', async () => {
    slack = await new FakeSlack().start();
    database = await createTestDatabase('postgres');
    if (!database.url) throw new Error('the Postgres test database has no URL');
    const { orgId, personId } = await slackPerson(database.db);
    const queuePrefix = `test-${randomUUID()}`;
    const workerEnv = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: slack.apiUrl,
    };
    const leaseMs = 2_000;

    // Slack holds the post long enough for the worker to die waiting for the answer; it still lands.
    slack.queue('chat.postMessage', { kind: 'delay', ms: 3_000 });
    const first = await startWorkerProcess({ env: workerEnv, queuePrefix, leaseMs, sweepIntervalMs: 250 });
    workers.push(first);

    const id = await writeMessage(database.db, orgId, personId, 'Your journey needs you');
    const log = createLogger('silent');
    jobs = new JobRegistry({ connections: { producer: redisConnection(TEST_REDIS_URL, 'producer') }, prefix: queuePrefix, log });
    const queue = new DeliveryQueue(jobs.queue(deliveryJob), log);
    await queue.enqueue([id]);

    await slack.waitFor(() => slack!.callsOf('chat.postMessage').length === 1, 20_000);
    await first.kill();
    expect((await outboxRow(database.db, id)).status).toBe('sending');
    await slack.waitFor(() => slack!.posted().length === 1, 20_000);

    const second = await startWorkerProcess({ env: workerEnv, queuePrefix, leaseMs, sweepIntervalMs: 250 });
    workers.push(second);
    await waitUntil('the row is delivered', async () => (await outboxRow(database!.db, id)).status === 'delivered');

    const row = await outboxRow(database.db, id);
    const [message] = slack.posted();
    expect(postedTexts(slack)).toEqual(['Your journey needs you']);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(slack.callsOf('conversations.history').length).toBeGreaterThanOrEqual(1);
    expect(row.delivered_ref).toMatchObject({ platform: 'slack', channel: 'D0001', messageId: message?.ts });
    expect(row.attempts).toBe(2);
  }, 90_000);

  it('posts exactly once when a worker died before its post reached Slack (row left sending, job lost)', async () => {
    t = await startTestSteward({ clock: systemClock });
    const db = t.database.db;
    const { orgId, personId } = await slackPerson(db);
    // Not due yet, so no sweep delivers it the ordinary way before it looks like the dead worker's.
    const id = await writeMessage(db, orgId, personId, 'Proposal 7 needs your vote', new Date(Date.now() + 3_600_000));
    // What a worker killed between its claim and its post leaves behind: a lease that ran out, and
    // no job in Redis (the kick never happened here either).
    const started = new Date(Date.now() - 10_000);
    await db
      .updateTable('outbox')
      .set({ status: 'sending', attempts: 1, attempt_started_at: started, lease_until: new Date(Date.now() - 1_000) })
      .where('id', '=', id)
      .execute();

    await waitUntil('the row is delivered', async () => (await outboxRow(db, id)).status === 'delivered');
    expect(postedTexts(t.slack)).toEqual(['Proposal 7 needs your vote']);
    expect(t.slack.callsOf('conversations.history')).toHaveLength(1);
    expect(t.slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect((await outboxRow(db, id)).attempts).toBe(2);
  });
});

describe('delivery: Redis outages', () => {
  let redis: PrivateRedis | undefined;
  let t: TestSteward | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
    await redis?.stop();
  });

  it('holds a message written while Redis is stopped and delivers it once Redis is started again', async () => {
    redis = await PrivateRedis.start();
    t = await startTestSteward({ redisUrl: redis.url, clock: systemClock });
    const steward = t.steward;
    await waitUntil('Redis is ready', () => steward.redisHealth.isReady);
    const { orgId, personId } = await slackPerson(t.database.db);

    await redis.stop();
    await waitUntil('Steward notices Redis is gone', () => !steward.redisHealth.isReady);
    const id = await writeMessage(t.database.db, orgId, personId, 'KPI onboarding NPS breached');
    steward.services.kickDelivery([id]);

    const readyz = await fetch(`${t.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toMatchObject({ database: { ok: true }, redis: { ok: false } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(t.slack.callsOf('chat.postMessage')).toHaveLength(0);
    expect((await outboxRow(t.database.db, id)).status).toBe('pending');

    await redis.start();
    await waitUntil('the row is delivered', async () => (await outboxRow(t!.database.db, id)).status === 'delivered');
    expect(postedTexts(t.slack)).toEqual(['KPI onboarding NPS breached']);
    await waitForDrain({ db: t.database.db, queuePrefix: t.queuePrefix, redisUrl: redis.url });
    expect(t.slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('starts without Redis, serves /cx help, reports Redis in /readyz, warns once and delivers held rows when Redis comes', async () => {
    redis = await PrivateRedis.reserve();
    const lines: string[] = [];
    t = await startTestSteward({
      redisUrl: redis.url,
      clock: systemClock,
      extra: { log: pino({ level: 'warn' }, { write: (line: string) => lines.push(line) }) },
    });

    const { orgId, personId } = await slackPerson(t.database.db);
    const help = await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'help' }));
    expect(help.status).toBe(200);
    expect(JSON.stringify(await help.json())).toContain('Steward help');

    const readyz = await fetch(`${t.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toMatchObject({ status: 'degraded', database: { ok: true }, redis: { ok: false } });

    const id = await writeMessage(t.database.db, orgId, personId, 'Weekly digest');
    t.steward.services.kickDelivery([id]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(t.slack.callsOf('chat.postMessage')).toHaveLength(0);

    await redis.start();
    await waitUntil('the row is delivered', async () => (await outboxRow(t!.database.db, id)).status === 'delivered');
    expect(postedTexts(t.slack)).toEqual(['Weekly digest']);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    const warnings = lines.filter((line) => line.includes('Redis is unreachable'));
    expect(warnings).toHaveLength(1);
  });
});

describe('delivery: Slack rate limits', () => {
  let t: TestSteward | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('waits at least Retry-After after a 429 and then posts once', async () => {
    t = await startTestSteward({ clock: systemClock });
    await waitUntil('Redis is ready', () => t!.steward.redisHealth.isReady);
    const { orgId, personId } = await slackPerson(t.database.db);
    t.slack.queue('chat.postMessage', { kind: 'rate-limit', retryAfter: 2 });
    const id = await writeMessage(t.database.db, orgId, personId, 'Decision: proposal 3 approved');
    t.steward.services.kickDelivery([id]);

    await waitUntil('the row is delivered', async () => (await outboxRow(t!.database.db, id)).status === 'delivered');
    const [limited, accepted] = t.slack.callsOf('chat.postMessage');
    expect(limited && accepted).toBeTruthy();
    expect(accepted!.at - limited!.at).toBeGreaterThanOrEqual(2_000);
    expect(t.slack.callsOf('chat.postMessage')).toHaveLength(2);
    expect(postedTexts(t.slack)).toEqual(['Decision: proposal 3 approved']);
  });
});

describe('delivery: background messages', () => {
  it('delivers what was kicked in the background after everything kicked without it, in order within each', async () => {
    const prefix = `test-${randomUUID()}`;
    const jobs = new JobRegistry({ connections: { producer: redisConnection(TEST_REDIS_URL, 'producer') }, prefix, log: createLogger('silent') });
    const queue = new DeliveryQueue(jobs.queue(deliveryJob), createLogger('silent'));
    const order: string[] = [];
    const workerConnection = redisConnection(TEST_REDIS_URL, 'worker');
    try {
      // Queued before any worker runs: the redraws and notes first, then the escalated messages.
      await queue.enqueue(['redraw-1', 'note-1'], { background: true });
      await queue.enqueue(['dm-1', 'dm-2']);
      await queue.enqueue(['redraw-2'], { background: true });
      await queue.enqueue(['dm-3']);
      const worker = new Worker<{ outboxId: string }>(DELIVERY_QUEUE, async (job) => void order.push(job.data.outboxId), { connection: workerConnection, prefix, concurrency: 1 });
      await waitWithin('all six are taken', () => order.length === 6);
      await worker.close();
    } finally {
      await jobs.close();
      workerConnection.disconnect();
    }
    expect(order).toEqual(['dm-1', 'dm-2', 'dm-3', 'redraw-1', 'note-1', 'redraw-2']);
  });
});

describe.each(DATABASE_KINDS)('delivery: the claim of a message on %s', (kind) => {
  it('reads the person a direct message is for, and how the message an update replaces stands, in the same statement', async () => {
    const database = await createTestDatabase(kind);
    try {
      const { db } = database;
      const { orgId, personId } = await slackPerson(db);
      const now = new Date(Date.now() + 1_000);
      const lease = new Date(now.getTime() + 60_000);
      const dm = await claimForSending(db, await writeMessage(db, orgId, personId, 'hello'), now, lease);
      expect(dm?.person).toEqual({
        id: personId,
        org_id: orgId,
        display_name: 'Ann Peeters',
        email: 'ann@example.com',
        preferred_platform: null,
        welcomed_at: null,
        identities: [{ platform: 'slack', installation_external_id: 'T0001', external_user_id: 'U0001' }],
        refused: false,
      });
      // A welcome recorded reads back as a Date, as from its own query.
      await orgsRepo.markMet(db, personId);
      const again = await claimForSending(db, await writeMessage(db, orgId, personId, 'again'), now, lease);
      expect(again?.person?.welcomed_at).toBeInstanceOf(Date);
      // An update carries how the message it replaces stands.
      const ref = { platform: 'slack' as const, channel: 'D0001', messageId: '1.000001' };
      await markDelivered(db, String(dm!.row.id), ref, now);
      const update = await enqueueMessage(db, { orgId, dedupeKey: 'test:update', target: { kind: 'person', personId }, card: card('updated'), updateOfOutboxId: String(dm!.row.id) });
      expect((await claimForSending(db, update!, now, lease))?.original).toEqual({ status: 'delivered', delivered_ref: ref });
      expect(again?.original).toBeUndefined();
      const channel = await enqueueMessage(db, { orgId, dedupeKey: 'test:channel', target: { kind: 'conversation', conversationId: randomUUID() }, card: card('to a channel') });
      expect((await claimForSending(db, channel!, now, lease))?.person).toBeUndefined();
      // A person id that is not one matches nobody, and the claim still succeeds (the deliverer says why).
      const odd = await enqueueMessage(db, { orgId, dedupeKey: 'test:odd', target: { kind: 'person', personId: 'not-a-person' }, card: card('odd') });
      const claimed = await claimForSending(db, odd!, now, lease);
      expect(claimed?.row.status).toBe('sending');
      expect(claimed?.person).toBeUndefined();
    } finally {
      await database.drop();
    }
  });
});
