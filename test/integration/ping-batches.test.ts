// Escalations in batches (processDueBatch), on real Postgres: two "worker processes" (each its own
// connection pool) claim due pings at once, by job and by sweep, with FOR UPDATE SKIP LOCKED. Every
// due ping escalates exactly once; a ping a click holds is left to it (the job is told it is busy, by
// its first read already) while the others go on; a batch rolled back (a worker that died) leaves its
// pings due for the next.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobRegistry } from '../../src/jobs/registry.js';
import { createLogger } from '../../src/log.js';
import { EscalationQueue, escalationJob } from '../../src/pings/jobs.js';
import { TEST_REDIS_URL } from '../support/steward.js';
import { ManualClock } from '../../src/clock.js';
import { openPostgres, type DatabaseHandle } from '../../src/db/database.js';
import { importJourneys } from '../../src/journeys/csv.js';
import { loadTree } from '../../src/journeys/service.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { personForEmail } from '../../src/orgs/service.js';
import { claimDuePings, insertRounds } from '../../src/pings/repo.js';
import { enqueueMessages, outboxRowOf } from '../../src/delivery/outbox-repo.js';
import { text } from '../../src/chat/card.js';
import { createPing } from '../../src/pings/service.js';
import { dueNow, processDueBatch, processDuePing, snoozePing, type DueBatch } from '../../src/pings/transitions.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import type { Actor } from '../../src/chat/actor.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');
const HOUR = 3_600_000;

describe('ping escalations in batches, two workers on Postgres', () => {
  let t: TestDatabase;
  let second: DatabaseHandle;
  let orgId: string;
  let clock: ManualClock;

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    // The second worker process: its own pool on the same schema.
    second = openPostgres({ url: t.url! });
  });
  afterAll(async () => {
    await second?.close();
    await t?.drop();
  });
  beforeEach(async () => {
    clock = new ManualClock(new Date('2025-05-12T08:00:00Z'));
    orgId = (await orgsRepo.createOrganisation(t.db, 'Acme')).id;
    expect((await importJourneys(t.db, orgId, DEMO, { now: clock.now(), byLabel: 'test' })).ok).toBe(true);
  });

  async function pings(count: number): Promise<string[]> {
    const ann = await personForEmail(t.db, orgId, 'ann@example.com');
    const journeyId = (await loadTree(t.db, orgId)).tree.byKey('welcome-gift')!.id;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const created = await t.db.transaction().execute((trx) =>
        createPing(trx, { orgId, journeyId, fromPersonId: ann, reason: 'manual', message: `Batch ping ${i}`, dedupeKey: `batch:${i}:${Math.random()}`, now: clock.now() }),
      );
      ids.push(created.pingId);
    }
    return ids;
  }

  const escalations = async (ids: string[]) =>
    t.db.selectFrom('ping_events').select(['ping_id', 'level']).where('ping_id', 'in', ids).where('kind', '=', 'escalated').execute();

  it('every due ping escalates exactly once when jobs and sweeps of two workers claim at once', async () => {
    const ids = await pings(40);
    clock.advance(25 * HOUR);
    const workers = [t.db, second.db];
    const outcomes: DueBatch['steps'] = [];
    // One job per ping, spread over both workers, and a sweep lane in each, all at the same moment.
    const jobs = ids.map(async (pingId, i) => {
      const batch = await processDueBatch({ db: workers[i % 2]!, clock }, { pingId, limit: 6 });
      outcomes.push(...batch.steps);
      return batch;
    });
    const sweeps = workers.map(async (db) => {
      for (;;) {
        const batch = await processDueBatch({ db, clock }, { limit: 6 });
        outcomes.push(...batch.steps);
        if (batch.steps.length === 0) return;
      }
    });
    const results = await Promise.all([...jobs, ...sweeps]);
    // A job whose ping another batch held was told so (its job looks again): then it is done.
    for (const [i, result] of results.slice(0, ids.length).entries()) {
      if (result && result.busy) {
        const again = await processDueBatch({ db: t.db, clock }, { pingId: ids[i]!, limit: 1 });
        expect(again.busy).toBe(false);
        outcomes.push(...again.steps);
      }
    }
    const escalated = outcomes.filter((s) => s.outcome.outcome === 'escalated').map((s) => s.pingId);
    expect(new Set(escalated).size).toBe(escalated.length);
    expect(new Set(escalated)).toEqual(new Set(ids));
    const events = await escalations(ids);
    expect(events).toHaveLength(ids.length);
    expect(events.every((e) => e.level === 1)).toBe(true);
    // One direct message to the next owner per ping, and one note to the sender per ping.
    const dms = await t.db.selectFrom('outbox').select('dedupe_key').where('org_id', '=', orgId).where('dedupe_key', 'like', 'ping:%:v1:to:%').execute();
    expect(dms).toHaveLength(ids.length);
    const notes = await t.db.selectFrom('outbox').select('dedupe_key').where('org_id', '=', orgId).where('dedupe_key', 'like', 'ping:%:v1:sender').execute();
    expect(notes).toHaveLength(ids.length);
  });

  it('leaves a ping a click holds to the click (busy) and escalates the others of the batch', async () => {
    const ids = await pings(5);
    clock.advance(25 * HOUR);
    const [held, ...others] = ids as [string, ...string[]];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // A click's transaction holding the ping's row.
    const click = second.db.transaction().execute(async (trx) => {
      await trx.selectFrom('pings').select('id').where('id', '=', held).forUpdate().execute();
      locked();
      await released;
    });
    await isLocked;
    // The job's first read says so without a transaction of its own; a ping nobody holds reads as due.
    expect(await dueNow({ db: t.db, clock }, held)).toEqual({ outcome: 'busy' });
    expect(await dueNow({ db: t.db, clock }, others[0]!)).toEqual({ outcome: 'due' });
    const batch = await processDueBatch({ db: t.db, clock }, { pingId: held, limit: 10 });
    expect(batch.busy).toBe(true);
    expect(batch.steps.map((s) => s.pingId).sort()).toEqual([...others].sort());
    expect(batch.steps.every((s) => s.outcome.outcome === 'escalated')).toBe(true);
    release();
    await click;
    // Its job looks again: now it escalates, once.
    const again = await processDueBatch({ db: t.db, clock }, { pingId: held, limit: 10 });
    expect(again).toMatchObject({ busy: false, steps: [{ pingId: held, outcome: { outcome: 'escalated' } }] });
    expect(await dueNow({ db: t.db, clock }, held)).toMatchObject({ outcome: 'not-due' });
    expect(await escalations(ids)).toHaveLength(ids.length);
  });

  it('a batch rolled back (its worker died) leaves its pings due, and the next claim escalates them', async () => {
    const ids = await pings(4);
    clock.advance(25 * HOUR);
    await expect(
      t.db.transaction().execute(async (trx) => {
        expect(await claimDuePings(trx, { dueBy: clock.now(), limit: 10 })).toHaveLength(ids.length);
        throw new Error('the worker died');
      }),
    ).rejects.toThrow('the worker died');
    expect(await escalations(ids)).toHaveLength(0);
    const batch = await processDueBatch({ db: second.db, clock }, { limit: 10 });
    expect(batch.steps.map((s) => s.outcome.outcome)).toEqual(ids.map(() => 'escalated'));
    expect(await escalations(ids)).toHaveLength(ids.length);
  });

  it('a job for a ping that is gone or not due says so, and claims nothing it should not', async () => {
    const [pingId] = await pings(1);
    const gone = await processDueBatch({ db: t.db, clock }, { pingId: '00000000-0000-4000-8000-000000000000', limit: 4 });
    expect(gone).toMatchObject({ busy: false, steps: [{ outcome: { outcome: 'gone' } }] });
    const early = await processDueBatch({ db: t.db, clock }, { pingId: pingId!, limit: 4 });
    expect(early.steps).toEqual([{ pingId, outcome: { outcome: 'not-due', outboxIds: [], nextDueAt: new Date('2025-05-13T08:00:00Z') }, wasDueAt: new Date('2025-05-13T08:00:00Z') }]);
  });

  it('a job that escalates a batch removes the jobs of the others it did, so a burst runs a job per batch', async () => {
    const ids = await pings(5);
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    const jobs = new JobRegistry({ connections: { producer: redis }, prefix: `test-${randomUUID()}`, log: createLogger('silent') });
    try {
      const queue = new EscalationQueue(jobs.queue(escalationJob), { clock, log: createLogger('silent') });
      const escalateAt = (await t.db.selectFrom('pings').select(['id', 'escalate_at']).where('id', 'in', ids).execute()).map((p) => ({ pingId: p.id, at: p.escalate_at! }));
      // A job per ping at its due time (as createPing's caller schedules it), and one job for a later step of the first.
      for (const { pingId, at } of escalateAt) await queue.add(pingId, at);
      const later = new Date(clock.now().getTime() + 48 * HOUR);
      await queue.add(ids[0]!, later);
      clock.advance(25 * HOUR);
      const own = escalateAt.find((e) => e.pingId === ids[1])!;
      const job = (await queue.queue.getJob(`ping-${own.pingId}-${own.at.getTime()}`))!;
      const deps = { db: t.db, clock, log: createLogger('silent'), kickDelivery: () => {}, schedule: () => {}, cancelAll: (items: { pingId: string; at: Date }[]) => queue.cancelAll(items) };
      expect(await escalationJob.processor(deps)(job)).toBe('escalated');
      expect(await escalations(ids)).toHaveLength(ids.length);
      // Left: the job that ran (BullMQ finishes it) and the later step's; the other four are gone.
      await vi.waitFor(async () => expect((await queue.queue.getJobs(['waiting', 'delayed', 'prioritized'])).map((j) => j.id).sort()).toEqual([job.id, `ping-${ids[0]}-${later.getTime()}`].sort()));
    } finally {
      await jobs.close();
    }
  });

  it('rounds without recipients still say which of their messages alongside are new, each round its own', async () => {
    const [first, second] = await pings(2);
    const ann = await personForEmail(t.db, orgId, 'ann@example.com');
    const note = (pingId: string) => ({ orgId, dedupeKey: `ping:${pingId}:note-test`, target: { kind: 'person' as const, personId: ann }, card: { title: 'Note', blocks: [{ kind: 'text' as const, text: [text('A note')] }], summary: 'A note' } });
    // The first round's note was queued before: only the second one's is new.
    await enqueueMessages(t.db, [note(first!)]);
    const round = (pingId: string) => ({ pingId, round: 0, level: 0, eventKind: null, at: clock.now(), messages: [], alongside: [outboxRowOf(note(pingId))] });
    const written = await insertRounds(t.db, [round(first!), round(second!)]);
    const secondId = (await t.db.selectFrom('outbox').select('id').where('dedupe_key', '=', `ping:${second}:note-test`).executeTakeFirstOrThrow()).id;
    expect(written).toEqual([
      { round: [], alongside: [] },
      { round: [], alongside: [String(secondId)] },
    ]);
  });

  /**
   * Pings of five journeys as the demo tree has them (an inherited owner, owners with a parent owner,
   * a parent without an owner, the top of the tree) and one whose snooze ends, in an organisation of
   * their own: their history and every message queued for them, with ids left out.
   */
  async function mixedPings(name: string): Promise<{ orgId: string; ids: string[] }> {
    const org = (await orgsRepo.createOrganisation(t.db, name)).id;
    expect((await importJourneys(t.db, org, DEMO, { now: clock.now(), byLabel: 'test' })).ok).toBe(true);
    const ann = await personForEmail(t.db, org, 'ann@example.com');
    const tree = (await loadTree(t.db, org)).tree;
    const ids: string[] = [];
    for (const key of ['welcome-gift', 'first-invoice', 'apply', 'change-address', 'lifecycle', 'billing']) {
      const created = await t.db.transaction().execute((trx) =>
        createPing(trx, { orgId: org, journeyId: tree.byKey(key)!.id, fromPersonId: ann, reason: 'manual', message: `About ${key}`, dedupeKey: `mixed:${key}`, now: clock.now() }),
      );
      ids.push(created.pingId);
    }
    // The billing ping is snoozed by its owner an hour later; its snooze ends after the escalations are due.
    const holder = await personForEmail(t.db, org, 'head-of-finance-ops@example.com');
    const actor: Actor = { personId: holder, orgId: org, name: 'Finance', email: 'head-of-finance-ops@example.com', roles: new Set(), platform: 'slack', platformUserId: 'U1' };
    await snoozePing({ db: t.db, clock }, actor, ids[5]!);
    return { orgId: org, ids };
  }

  async function whatHappened(org: string) {
    const people = new Map((await t.db.selectFrom('people').select(['id', 'email']).where('org_id', '=', org).execute()).map((p) => [p.id, p.email]));
    const email = (id: string | null) => (id ? (people.get(id) ?? 'unknown') : null);
    const pings = await t.db.selectFrom('pings').select(['id', 'message', 'state', 'level', 'holder_person_id', 'escalate_at', 'exhausted_at', 'version']).where('org_id', '=', org).orderBy('message').execute();
    const events = await t.db
      .selectFrom('ping_events')
      .select(['ping_id', 'kind', 'level', 'actor_person_id', 'to_person_id', 'note', 'at'])
      .where('ping_id', 'in', pings.map((p) => p.id))
      .orderBy('id')
      .execute();
    const outbox = await t.db.selectFrom('outbox').select(['dedupe_key', 'target', 'message']).where('org_id', '=', org).orderBy('dedupe_key').execute();
    const ids = new Map(pings.map((p) => [p.id, p.message]));
    const withoutIds = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => ids.get(id) ?? email(id) ?? 'id').replace(/:update:\d+/, ':update:n').replace(/"updateOfOutboxId":"\d+"/, '"updateOfOutboxId":"n"');
    return {
      pings: pings.map((p) => ({ message: p.message, state: p.state, level: p.level, holder: email(p.holder_person_id), escalateAt: p.escalate_at, exhausted: p.exhausted_at, version: p.version })),
      history: pings.map((p) => ({
        message: p.message,
        events: events.filter((e) => e.ping_id === p.id).map((e) => ({ kind: e.kind, level: e.level, actor: email(e.actor_person_id), to: email(e.to_person_id), note: e.note, at: e.at })),
      })),
      outbox: outbox
        .map((o) => ({ key: withoutIds(o.dedupe_key), target: withoutIds(JSON.stringify(o.target)), message: withoutIds(typeof o.message === 'string' ? o.message : JSON.stringify(o.message)) }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    };
  }

  it('a batch escalates, exhausts and wakes its pings together exactly as one at a time would', async () => {
    const alone = await mixedPings('One at a time');
    const together = await mixedPings('Together');
    clock.advance(25 * HOUR);
    for (const pingId of alone.ids) await processDuePing({ db: t.db, clock }, pingId);
    const batch = await processDueBatch({ db: t.db, clock }, { pingId: together.ids[0]!, limit: 20 });
    // The other organisation's pings are done already; earlier tests' pings may come along.
    expect(batch.busy).toBe(false);
    const ours = batch.steps.filter((s) => together.ids.includes(s.pingId));
    expect(Object.fromEntries(ours.map((s) => [together.ids.indexOf(s.pingId), s.outcome.outcome]))).toEqual({
      0: 'escalated',
      1: 'escalated',
      2: 'escalated',
      3: 'escalated',
      4: 'exhausted',
      5: 'reminded',
    });
    const expected = await whatHappened(alone.orgId);
    const actual = await whatHappened(together.orgId);
    expect(actual.pings).toEqual(expected.pings);
    expect(actual.history).toEqual(expected.history);
    expect(actual.outbox).toEqual(expected.outbox);
    // It did happen: four pings with their next owner, each told why, the sender told of each.
    expect(actual.pings.filter((p) => p.level === 1).map((p) => p.holder).sort()).toEqual(['cx-director@example.com', 'cx-director@example.com', 'head-of-finance-ops@example.com', 'head-of-sales@example.com']);
    expect(actual.outbox.filter((o) => o.key.endsWith(':v1:sender') && o.message.includes('it is now with')).map((o) => o.key)).toHaveLength(4);
    expect(actual.outbox.filter((o) => /:v1:to:/.test(o.key) && o.message.includes('Escalated to you: not acknowledged within 24 h'))).toHaveLength(4);
  });
});
