// Acknowledgement and escalation at the same moment, with two escalation worker processes: each
// ping's escalation job is queued twice (as a lost-and-recovered job would be), both worker
// processes take one at the due time, and the owner clicks Acknowledge through HTTP around that
// same instant. Whatever the order, each ping has exactly one outcome, recorded once, told once.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ESCALATION_QUEUE, type EscalationJob } from '../../src/pings/jobs.js';
import { importJourneys } from '../../src/journeys/csv.js';
import { personForEmail } from '../../src/orgs/service.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { blockActionBody, postSlack, SIGNING_SECRET, slashCommandBody } from '../support/slack.js';
import { startTestSteward, TEST_REDIS_URL, type TestSteward } from '../support/steward.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');
const PINGS = 12;

describe('ping races: acknowledge vs escalation, two worker processes', () => {
  let t: TestSteward;
  let clock: ManualClock;
  let workers: WorkerProcess[] = [];
  let redis: Redis;
  let queue: Queue<EscalationJob>;

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    // The HTTP side only: every job runs in the two worker processes.
    // The confirmations do not wait for delivery: the pings must all be sent before they fall due.
    t = await startTestSteward({ clock, workers: false, extra: { pingOutcomeWaitMs: 0 } });
    const db = t.database.db;
    const orgId = await t.steward.services.orgs.defaultOrganisation();
    await personForEmail(db, orgId, 'head-of-onboarding@example.com', 'Olga Owner');
    await personForEmail(db, orgId, 'cx-director@example.com', 'Dana Director');
    expect((await importJourneys(db, orgId, DEMO, { now: clock.now(), byLabel: 'test' })).ok).toBe(true);
    t.slack.emails.set('UOLGA', 'head-of-onboarding@example.com');
    t.slack.emails.set('UDANA', 'cx-director@example.com');
    for (const user of ['UOLGA', 'UDANA']) await postSlack(t.url, slashCommandBody({ command: '/journey', text: 'mine', user_id: user }));
    const env = {
      DATABASE_URL: t.database.url ?? '',
      REDIS_URL: TEST_REDIS_URL,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: t.slack.apiUrl,
      STEWARD_SECRET: 'test-secret-0123456789abcdef',
    };
    workers = await Promise.all([0, 1].map(() => startWorkerProcess({ env, queuePrefix: t.queuePrefix, leaseMs: 2_000, sweepIntervalMs: 100 })));
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    queue = new Queue<EscalationJob>(ESCALATION_QUEUE, { connection: redis, prefix: t.queuePrefix });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await queue?.close();
    redis?.disconnect();
    await t?.close();
  });

  it('every ping gets exactly one outcome, recorded once, and the sender is told once', async () => {
    const db = t.database.db;
    // Pings created "24 h ago" by the business clock, so their escalation is due in real time soon.
    const dueAt = Date.now() + 4_000;
    clock.set(new Date(dueAt - 24 * 3_600_000));
    const messages = Array.from({ length: PINGS }, (_, i) => `race ${i} ${randomUUID().slice(0, 8)}`);
    for (const message of messages) {
      const response = await postSlack(t.url, slashCommandBody({ command: '/journey', text: `ping onboarding ${message}`, user_id: 'UANN' }));
      expect(JSON.stringify(await response.json())).toContain('Sent to');
    }
    clock.set(new Date());
    const pings = await db.selectFrom('pings').select(['id', 'message', 'escalate_at']).where('message', 'in', messages).execute();
    expect(pings).toHaveLength(PINGS);
    for (const ping of pings) {
      const events = await db.selectFrom('ping_events').select(['kind', 'note', 'to_person_id']).where('ping_id', '=', ping.id).execute();
      const outbox = await db.selectFrom('outbox').select(['status', 'last_error', 'target']).where('dedupe_key', 'like', `ping:${ping.id}:%`).execute();
      expect(ping.escalate_at?.getTime(), JSON.stringify({ events, outbox })).toBe(dueAt);
    }
    // Two jobs per ping at the due time: both worker processes escalate the same ping at once.
    for (const ping of pings) {
      for (const copy of ['a', 'b']) {
        await queue.add('escalate', { pingId: ping.id, dueAt }, { jobId: `race-${ping.id}-${copy}`, delay: dueAt - Date.now(), removeOnComplete: true, removeOnFail: true });
      }
    }
    // The owner's clicks land around the due time: some before, some during, some after.
    const buttons = new Map(pings.map((p) => [p.id, JSON.stringify({ action: 'ping.acknowledge', pingId: p.id })]));
    const clicks = pings.map(async (ping, i) => {
      const at = dueAt - 150 + Math.round((400 * i) / (PINGS - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
      const name = `race-${ping.id}`;
      await postSlack(t.url, blockActionBody({ userId: 'UOLGA', channelId: 'DOLGA', value: buttons.get(ping.id)!, responseUrl: t.slack.responseUrl(name) }));
      await t.slack.waitFor(() => t.slack.responses.some((r) => r.path === `/response/${name}`), 15_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return JSON.stringify(t.slack.responses.filter((r) => r.path === `/response/${name}`).map((r) => r.body));
    });
    const answers = await Promise.all(clicks);

    // Let the sweeps (grace 5 s) and deliveries pass, so a late second outcome would show.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    await t.slack.waitFor(() => t.slack.callsOf('chat.postMessage').filter((c) => String(c.args.channel) === 'UANN').length >= PINGS, 20_000);

    const tally = { acknowledged: 0, escalated: 0 };
    for (const [i, ping] of pings.entries()) {
      const events = await db.selectFrom('ping_events').select(['kind', 'level']).where('ping_id', '=', ping.id).execute();
      const outcomes = events.filter((e) => e.kind === 'acknowledged' || e.kind === 'escalated');
      expect(outcomes, `ping ${i}: ${JSON.stringify(events)}`).toHaveLength(1);
      const outcome = outcomes[0]!.kind as 'acknowledged' | 'escalated';
      tally[outcome]++;
      const row = await db.selectFrom('pings').select(['state', 'level']).where('id', '=', ping.id).executeTakeFirstOrThrow();
      const toDana = t.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'UDANA' && String(c.args.text).includes(ping.message));
      const toAnn = await db.selectFrom('outbox').select('id').where('dedupe_key', 'like', `ping:${ping.id}:%:sender`).execute();
      expect(toAnn, `ping ${i}: the sender is told once`).toHaveLength(1);
      if (outcome === 'acknowledged') {
        expect(row).toEqual({ state: 'acknowledged', level: 0 });
        expect(toDana).toHaveLength(0);
        expect(answers[i]).toContain('Acknowledged');
      } else {
        expect(row).toEqual({ state: 'sent', level: 1 });
        expect(toDana, `ping ${i}: the parent owner gets it once`).toHaveLength(1);
        expect(answers[i]).not.toContain('✓ Acknowledged');
      }
    }
    console.log(`ping races: ${tally.acknowledged} acknowledged first, ${tally.escalated} escalated first, of ${PINGS}`);
    expect(tally.acknowledged + tally.escalated).toBe(PINGS);
  }, 90_000);
});
