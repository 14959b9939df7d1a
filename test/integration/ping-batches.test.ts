// Escalations in batches (processDueBatch), on real Postgres: two "worker processes" (each its own
// connection pool) claim due pings at once, by job and by sweep, with FOR UPDATE SKIP LOCKED. Every
// due ping escalates exactly once; a ping a click holds is left to it (the job is told it is busy, by
// its first read already) while the others go on; a batch rolled back (a worker that died) leaves its
// pings due for the next.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { openPostgres, type DatabaseHandle } from '../../src/db/database.js';
import { importJourneys } from '../../src/journeys/csv.js';
import { loadTree } from '../../src/journeys/service.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { personForEmail } from '../../src/orgs/service.js';
import { claimDuePings } from '../../src/pings/repo.js';
import { createPing } from '../../src/pings/service.js';
import { dueNow, processDueBatch, type DueBatch } from '../../src/pings/transitions.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

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
    expect(early.steps).toEqual([{ pingId, outcome: { outcome: 'not-due', outboxIds: [], nextDueAt: new Date('2025-05-13T08:00:00Z') } }]);
  });
});
