// Ping flows against the database, on Postgres and on PGlite, with a clock the test moves: who gets
// the messages, who may act, snooze, escalation up the tree to the top, the admins as last resort,
// racing acknowledgement and escalation in one process, and the append-only history.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { InvalidInput, PermissionDenied } from '../../src/chat/errors.js';
import type { Role } from '../../src/db/foundation-tables.js';
import { importJourneys } from '../../src/journeys/csv.js';
import { acknowledgePing, escalatePingNow, processDuePing, snoozePing } from '../../src/pings/transitions.js';
import { markAttemptFailed } from '../../src/delivery/outbox-repo.js';
import { duePingIds, openPingsForDigest, pingEvents, recordPingDeliveries } from '../../src/pings/repo.js';
import { createPing } from '../../src/pings/service.js';
import { resolvePing } from '../../src/pings/transitions.js';
import { loadPingView } from '../../src/pings/view.js';
import { loadTree } from '../../src/journeys/service.js';
import { setEscalationDelayHours } from '../../src/journeys/settings.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { personForEmail } from '../../src/orgs/service.js';
import { type Actor } from '../../src/chat/actor.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');
const HOUR = 3_600_000;

describe.each(DATABASE_KINDS)('pings on %s', (kind) => {
  let t: TestDatabase;
  let orgId: string;
  let clock: ManualClock;
  const deps = () => ({ db: t.db, clock });

  async function actor(email: string, roles: Role[] = []): Promise<Actor> {
    const personId = await personForEmail(t.db, orgId, email);
    for (const role of roles) {
      await t.db.insertInto('roles').values({ person_id: personId, role, granted_by: 'test' }).onConflict((oc) => oc.doNothing()).execute();
    }
    return { personId, orgId, name: email, email, roles: new Set(roles), platform: 'slack', platformUserId: `U-${email}` };
  }

  async function journeyId(key: string): Promise<string> {
    return (await loadTree(t.db, orgId)).tree.byKey(key)!.id;
  }

  async function ping(key: string, from: Actor | null, message = 'Avoidable calls about the welcome gift doubled this week') {
    const id = await journeyId(key);
    return t.db.transaction().execute((trx) =>
      createPing(trx, { orgId, journeyId: id, fromPersonId: from?.personId ?? null, reason: from ? 'manual' : 'kpi', message, dedupeKey: `test:${Math.random()}`, now: clock.now() }),
    );
  }

  const pingRow = (id: string) => t.db.selectFrom('pings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const events = async (id: string) => (await t.db.selectFrom('ping_events').select(['kind', 'level', 'to_person_id', 'actor_person_id']).where('ping_id', '=', id).orderBy('id').execute());
  const outbox = async () => t.db.selectFrom('outbox').select(['id', 'target', 'message', 'dedupe_key']).orderBy('id').execute();
  const dmsTo = async (personId: string) => (await outbox()).filter((o) => o.target.kind === 'person' && o.target.personId === personId && !o.message.updateOfOutboxId);

  // One database per kind (PGlite is slow to start); each test gets its own organisation.
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t.drop();
  });
  beforeEach(async () => {
    clock = new ManualClock(new Date('2025-05-12T08:00:00Z'));
    orgId = (await orgsRepo.createOrganisation(t.db, 'Acme')).id;
    expect((await importJourneys(t.db, orgId, DEMO, { now: clock.now(), byLabel: 'test' })).ok).toBe(true);
  });

  it('sends the accountable owner a direct message with the three buttons, once per cause', async () => {
    const ann = await actor('ann@example.com');
    const olga = await actor('head-of-onboarding@example.com');
    const created = await ping('welcome-gift', ann);
    expect(created.created).toBe(true);
    expect(created.escalateAt?.toISOString()).toBe('2025-05-13T08:00:00.000Z');
    const [dm] = await dmsTo(olga.personId);
    const card = JSON.stringify(dm?.message.card);
    for (const label of ['Acknowledge', 'Snooze 1 day', 'Escalate']) expect(card).toContain(label);
    expect(card).toContain('Avoidable calls about the welcome gift doubled this week');
    expect(JSON.stringify(dm?.message.card)).not.toContain('escalate_at');
    const row = await pingRow(created.pingId);
    expect(row).toMatchObject({ state: 'sent', holder_person_id: olga.personId, level: 0 });
    expect(await events(created.pingId)).toEqual([expect.objectContaining({ kind: 'sent', to_person_id: olga.personId })]);
    // The same cause again (a retried KPI alert) sends nothing new.
    const again = await t.db.transaction().execute((trx) =>
      createPing(trx, { orgId, journeyId: row.journey_id, fromPersonId: null, reason: 'kpi', message: 'again', dedupeKey: row.dedupe_key, now: clock.now() }),
    );
    expect(again).toMatchObject({ pingId: created.pingId, created: false, outboxIds: [] });
  });

  it('refuses a third person’s acknowledgement and changes nothing', async () => {
    const ann = await actor('ann@example.com');
    const mallory = await actor('mallory@example.com');
    const created = await ping('onboarding', ann);
    const before = { row: await pingRow(created.pingId), events: await events(created.pingId), outbox: await outbox() };
    await expect(acknowledgePing(deps(), mallory, created.pingId)).rejects.toBeInstanceOf(PermissionDenied);
    await expect(snoozePing(deps(), mallory, created.pingId)).rejects.toBeInstanceOf(PermissionDenied);
    await expect(escalatePingNow(deps(), mallory, created.pingId)).rejects.toBeInstanceOf(PermissionDenied);
    expect(await pingRow(created.pingId)).toEqual(before.row);
    expect(await events(created.pingId)).toEqual(before.events);
    expect(await outbox()).toEqual(before.outbox);
  });

  it('acknowledges once: the state, one history event, the sender told, the escalation cancelled', async () => {
    const ann = await actor('ann@example.com');
    const olga = await actor('head-of-onboarding@example.com');
    const created = await ping('onboarding', ann);
    const result = await acknowledgePing(deps(), olga, created.pingId);
    expect(result.view.ping.state).toBe('acknowledged');
    expect(JSON.stringify((await dmsTo(ann.personId))[0]?.message.card)).toContain('acknowledged your ping about Welcome journey');
    const twice = await acknowledgePing(deps(), olga, created.pingId);
    expect(twice.unchanged).toMatch(/already acknowledged/);
    clock.advance(48 * HOUR);
    expect(await duePingIds(t.db, clock.now())).not.toContain(created.pingId);
    expect(await processDuePing(deps(), created.pingId)).toMatchObject({ outcome: 'not-due' });
    expect((await events(created.pingId)).filter((e) => e.kind === 'acknowledged')).toHaveLength(1);
  });

  it('snooze pushes escalation back: a reminder when the snooze ends, escalation a delay after that', async () => {
    const ann = await actor('ann@example.com');
    const olga = await actor('head-of-onboarding@example.com');
    const dana = await actor('cx-director@example.com');
    const created = await ping('onboarding', ann);
    clock.advance(2 * HOUR);
    const snoozed = await snoozePing(deps(), olga, created.pingId);
    expect(snoozed.nextDueAt?.toISOString()).toBe('2025-05-13T10:00:00.000Z');
    clock.set('2025-05-13T09:00:00Z'); // past the original escalation time, still snoozed
    expect(await processDuePing(deps(), created.pingId)).toMatchObject({ outcome: 'not-due' });
    clock.set('2025-05-13T10:00:00Z');
    expect(await processDuePing(deps(), created.pingId)).toMatchObject({ outcome: 'reminded' });
    expect(await dmsTo(olga.personId)).toHaveLength(2);
    expect((await pingRow(created.pingId)).escalate_at?.toISOString()).toBe('2025-05-14T10:00:00.000Z');
    clock.set('2025-05-14T10:00:01Z');
    expect(await processDuePing(deps(), created.pingId)).toMatchObject({ outcome: 'escalated' });
    expect((await pingRow(created.pingId)).holder_person_id).toBe(dana.personId);
    expect(JSON.stringify((await dmsTo(ann.personId)).at(-1)?.message.card)).toContain('was not acknowledged');
  });

  it('escalates up the tree to the lifecycle owner, then stops and lists it for the digest', async () => {
    await setEscalationDelayHours(t.db, orgId, 2);
    const ann = await actor('ann@example.com');
    const digital = await actor('digital-lead@example.com');
    const sales = await actor('head-of-sales@example.com');
    const dana = await actor('cx-director@example.com');
    const created = await ping('apply', ann);
    expect(created.escalateAt?.toISOString()).toBe('2025-05-12T10:00:00.000Z');
    clock.advance(2 * HOUR);
    expect(await duePingIds(t.db, clock.now())).toContain(created.pingId);
    const escalated = await processDuePing(deps(), created.pingId);
    expect(escalated).toMatchObject({ outcome: 'escalated' });
    expect((await pingRow(created.pingId)).holder_person_id).toBe(sales.personId);
    const [salesDm] = await dmsTo(sales.personId);
    expect(JSON.stringify(salesDm?.message.card)).toContain('Escalated to you');
    // The escalated message goes first; the redraw of the first owner's message and the note to the sender follow.
    const later = 'laterOutboxIds' in escalated ? (escalated.laterOutboxIds ?? []) : [];
    expect(escalated.outboxIds).toContain(String(salesDm!.id));
    expect(later).not.toContain(String(salesDm!.id));
    expect(later.length).toBe(escalated.outboxIds.length - 1);
    // The first owner's message now says where the ping went, without buttons.
    const updates = (await outbox()).filter((o) => o.message.updateOfOutboxId && o.target.kind === 'person' && o.target.personId === digital.personId);
    expect(JSON.stringify(updates.at(-1)?.message.card)).not.toContain('"Acknowledge"');
    clock.advance(2 * HOUR);
    expect(await processDuePing(deps(), created.pingId)).toMatchObject({ outcome: 'escalated' });
    expect((await pingRow(created.pingId)).holder_person_id).toBe(dana.personId);
    clock.advance(2 * HOUR);
    expect(await processDuePing(deps(), created.pingId)).toMatchObject({ outcome: 'exhausted' });
    expect(await processDuePing(deps(), created.pingId)).toMatchObject({ outcome: 'not-due', nextDueAt: null });
    await expect(escalatePingNow(deps(), dana, created.pingId)).rejects.toBeInstanceOf(InvalidInput);
    expect((await events(created.pingId)).map((e) => `${e.kind}:${e.level}`)).toEqual(['sent:0', 'escalated:1', 'sent:1', 'escalated:2', 'sent:2', 'exhausted:2']);
    expect(JSON.stringify((await dmsTo(ann.personId)).at(-1)?.message.card)).toContain('weekly governance digest');
    expect((await openPingsForDigest(t.db, orgId)).map((p) => p.pingId)).toEqual([created.pingId]);
  });

  it('skips an owner who also owns the parent journey: the escalation goes to the next one up', async () => {
    const ann = await actor('ann@example.com');
    const digital = await actor('digital-lead@example.com');
    const dana = await actor('cx-director@example.com');
    await t.db.updateTable('journeys').set({ owner_person_id: digital.personId }).where('org_id', '=', orgId).where('key', '=', 'orientation').execute();
    const created = await ping('apply', ann);
    expect((await loadPingView(t.db, created.pingId))?.next?.personId).toBe(dana.personId);
    clock.advance(25 * HOUR);
    expect(await processDuePing(deps(), created.pingId)).toMatchObject({ outcome: 'escalated' });
    expect(await pingRow(created.pingId)).toMatchObject({ holder_person_id: dana.personId, level: 1 });
  });

  it('a journey with no owner anywhere up the tree: the ping goes to the admins, who may act on it', async () => {
    const ann = await actor('ann@example.com');
    const admin = await actor('admin@example.com', ['admin']);
    await sql`update journeys set owner_person_id = null where org_id = ${orgId}`.execute(t.db);
    const created = await ping('welcome-gift', ann);
    expect(await pingRow(created.pingId)).toMatchObject({ holder_person_id: null, holder_journey_id: null });
    expect(await dmsTo(admin.personId)).toHaveLength(1);
    const result = await acknowledgePing(deps(), admin, created.pingId);
    expect(result.view.ping.state).toBe('acknowledged');
  });

  it('the deputy receives the ping too and may acknowledge it; the owner’s message then updates', async () => {
    const ann = await actor('ann@example.com');
    const olga = await actor('head-of-onboarding@example.com');
    const vera = await actor('vera-deputy@example.com');
    await t.db.updateTable('journeys').set({ deputy_person_id: vera.personId }).where('org_id', '=', orgId).where('key', '=', 'onboarding').execute();
    const created = await ping('welcome-gift', ann);
    expect(await dmsTo(olga.personId)).toHaveLength(1);
    expect(await dmsTo(vera.personId)).toHaveLength(1);
    await acknowledgePing(deps(), vera, created.pingId);
    const updates = (await outbox()).filter((o) => o.message.updateOfOutboxId && o.target.kind === 'person' && o.target.personId === olga.personId);
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0]?.message.card)).toContain('Acknowledged');
  });

  it('lets the holder escalate now, and refuses when nobody is above', async () => {
    const ann = await actor('ann@example.com');
    const olga = await actor('head-of-onboarding@example.com');
    const dana = await actor('cx-director@example.com');
    const created = await ping('onboarding', ann);
    const result = await escalatePingNow(deps(), olga, created.pingId);
    expect(result.view.holder?.personId).toBe(dana.personId);
    expect(JSON.stringify((await dmsTo(ann.personId)).at(-1)?.message.card)).toContain('escalated your ping about Welcome journey');
    // The new holder is told who escalated it to them, and the history says who did.
    const toDana = JSON.stringify((await dmsTo(dana.personId)).at(-1)?.message.card);
    expect(toDana).toContain(' escalated this ping to you.');
    expect(toDana).toContain('{"kind":"mention","person":{"name":"head-of-onboarding"');
    const escalated = await t.db.selectFrom('ping_events').select(['actor_person_id', 'to_person_id', 'level']).where('ping_id', '=', created.pingId).where('kind', '=', 'escalated').execute();
    expect(escalated).toEqual([{ actor_person_id: olga.personId, to_person_id: dana.personId, level: 1 }]);
    await expect(escalatePingNow(deps(), dana, created.pingId)).rejects.toThrow(/Nobody is above/);
    await expect(acknowledgePing(deps(), olga, created.pingId)).rejects.toBeInstanceOf(PermissionDenied);
  });

  it('acknowledgement and escalation racing in one process: exactly one outcome, recorded once', async () => {
    if (kind === 'pglite') return; // one embedded session cannot run transactions side by side
    const ann = await actor('ann@example.com');
    const olga = await actor('head-of-onboarding@example.com');
    const outcomes: string[] = [];
    for (let round = 0; round < 8; round++) {
      clock.set('2025-05-12T08:00:00Z');
      const created = await ping('onboarding', ann);
      clock.advance(25 * HOUR);
      const [ack, first, second] = await Promise.allSettled([
        acknowledgePing(deps(), olga, created.pingId),
        processDuePing(deps(), created.pingId),
        processDuePing(deps(), created.pingId),
      ]);
      const kinds = (await events(created.pingId)).map((e) => e.kind).filter((k) => k === 'acknowledged' || k === 'escalated');
      expect(kinds).toHaveLength(1);
      const row = await pingRow(created.pingId);
      if (kinds[0] === 'acknowledged') {
        expect(ack.status).toBe('fulfilled');
        expect(row.state).toBe('acknowledged');
      } else {
        expect(ack.status).toBe('rejected');
        expect(row).toMatchObject({ state: 'sent', level: 1 });
      }
      const escalations = [first, second].filter((r) => r.status === 'fulfilled' && r.value.outcome === 'escalated');
      expect(escalations.length).toBe(kinds[0] === 'escalated' ? 1 : 0);
      const senderNews = (await dmsTo(ann.personId)).filter((o) => o.dedupe_key.startsWith(`ping:${created.pingId}`));
      expect(senderNews).toHaveLength(1);
      outcomes.push(kinds[0]!);
    }
    expect(outcomes).toHaveLength(8);
  });

  it('records deliveries in the history and keeps the history append-only', async () => {
    const ann = await actor('ann@example.com');
    const created = await ping('onboarding', ann);
    await t.db.updateTable('outbox').set({ status: 'delivered', delivered_at: clock.now() }).where('id', 'in', created.outboxIds).execute();
    expect(await recordPingDeliveries(t.db)).toBe(1);
    expect(await recordPingDeliveries(t.db)).toBe(0);
    expect((await events(created.pingId)).map((e) => e.kind)).toEqual(['sent', 'delivered']);
    await expect(sql`update ping_events set kind = 'acknowledged'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ping_events`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from pings`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('tells the history in the order things happened, also when a delivery is recorded after a later click', async () => {
    const ann = await actor('ann@example.com');
    const olga = await actor('head-of-onboarding@example.com');
    const created = await ping('onboarding', ann);
    // Delivered a minute after it was sent; snoozed an hour later; the sweep records the delivery after that.
    await t.db.updateTable('outbox').set({ status: 'delivered', delivered_at: new Date(clock.now().getTime() + 60_000) }).where('id', 'in', created.outboxIds).execute();
    clock.advance(HOUR);
    await snoozePing(deps(), olga, created.pingId);
    expect(await recordPingDeliveries(t.db)).toBe(1);
    const view = await loadPingView(t.db, created.pingId);
    expect(view?.history.map((h) => h.kind)).toEqual(['sent', 'delivered', 'snoozed']);
  });

  it('dates a message that failed for good when it failed, by the same clock, not when it was queued', async () => {
    const ann = await actor('ann@example.com');
    const olga = await actor('head-of-onboarding@example.com');
    const created = await ping('onboarding', ann);
    const failedAt = new Date(clock.now().getTime() + 60_000);
    // Picked up by a worker, then refused for good a minute after it was sent (as deliver.ts records it).
    await t.db.updateTable('outbox').set({ status: 'sending' }).where('id', 'in', created.outboxIds).execute();
    for (const id of created.outboxIds) await markAttemptFailed(t.db, id, { permanent: true, at: failedAt, notBefore: failedAt, error: 'channel_not_found' });
    clock.advance(HOUR);
    await snoozePing(deps(), olga, created.pingId);
    expect(await recordPingDeliveries(t.db)).toBe(1);
    const events = await pingEvents(t.db, created.pingId);
    expect(events.map((e) => e.kind)).toEqual(['sent', 'undelivered', 'snoozed']);
    expect(new Date(events[1]!.at).toISOString()).toBe(failedAt.toISOString());
  });

  it('a KPI ping (no sender) resolves when the KPI recovers, and its message says so', async () => {
    const olga = await actor('head-of-onboarding@example.com');
    const created = await ping('onboarding', null, 'NPS onboarding breached its threshold for 2 periods');
    const resolved = await t.db.transaction().execute((trx) => resolvePing(trx, { orgId, pingId: created.pingId, now: clock.now(), note: 'NPS is back on target' }));
    expect(resolved.resolved).toBe(true);
    const update = (await outbox()).find((o) => o.message.updateOfOutboxId === created.outboxIds[0]);
    expect(JSON.stringify(update?.message.card)).toContain('Resolved');
    expect(await dmsTo(olga.personId)).toHaveLength(1);
    expect((await t.db.transaction().execute((trx) => resolvePing(trx, { orgId, pingId: created.pingId, now: clock.now() }))).resolved).toBe(false);
  });
});
