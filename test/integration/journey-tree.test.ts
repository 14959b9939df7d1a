// The journey tree on real Postgres and on embedded PGlite: inheritance, overrides, cycle refusal
// (by the service and by the database itself), moving a subtree, and CSV import / export.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { InvalidInput, PermissionDenied } from '../../src/chat/errors.js';
import { exportJourneys, importJourneys } from '../../src/journeys/csv.js';
import { accountableOwner } from '../../src/journeys/owners.js';
import { addJourney, loadTree, moveJourney, setOwner } from '../../src/journeys/service.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { personForEmail } from '../../src/orgs/service.js';
import { type Actor } from '../../src/chat/actor.js';
import type { Role } from '../../src/db/foundation-tables.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');

describe.each(DATABASE_KINDS)('journey tree on %s', (kind) => {
  let t: TestDatabase;
  let orgId: string;
  const clock = new ManualClock(new Date('2025-05-12T08:00:00Z'));
  const deps = () => ({ db: t.db, clock });

  async function actor(email: string, roles: Role[] = []): Promise<Actor> {
    const personId = await personForEmail(t.db, orgId, email);
    for (const role of roles) await t.db.insertInto('roles').values({ person_id: personId, role, granted_by: 'test' }).execute();
    return { personId, orgId, name: email, email, roles: new Set(roles), platform: 'slack', platformUserId: `U${email}` };
  }

  async function ownerKeyOf(key: string): Promise<string | undefined> {
    const { tree } = await loadTree(t.db, orgId);
    const owner = tree.effectiveOwner(tree.byKey(key)!.id);
    if (!owner) return undefined;
    const person = await t.db.selectFrom('people').select('email').where('id', '=', owner.personId).executeTakeFirstOrThrow();
    return `${person.email ?? '?'}${owner.inherited ? ` (inherited from ${owner.definedOn.key})` : ''}`;
  }

  // One database per kind (PGlite is slow to start); each test gets its own organisation.
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t.drop();
  });
  beforeEach(async () => {
    orgId = (await orgsRepo.createOrganisation(t.db, 'Acme')).id;
    const report = await importJourneys(t.db, orgId, DEMO, { now: clock.now(), byLabel: 'test' });
    expect(report.errors).toEqual([]);
  });

  it('imports the demo tree, owners inherited down unless a journey names its own', async () => {
    const { tree } = await loadTree(t.db, orgId);
    expect(tree.size).toBe(11);
    expect(await ownerKeyOf('onboarding')).toBe('head-of-onboarding@example.com');
    expect(await ownerKeyOf('welcome-gift')).toBe('head-of-onboarding@example.com (inherited from onboarding)');
    expect(await ownerKeyOf('moving')).toBe('cx-director@example.com (inherited from lifecycle)');
    expect(await ownerKeyOf('change-address')).toBe('digital-lead@example.com');
    const gift = tree.byKey('welcome-gift')!;
    expect(await accountableOwner(t.db, gift.id)).toMatchObject({ inheritedFrom: { key: 'onboarding' } });
  });

  it('an override on a sub-journey wins over the inherited owner, and clearing it inherits again', async () => {
    const admin = await actor('cx-director@example.com', ['admin']);
    const gifts = await personForEmail(t.db, orgId, 'gifts@example.com');
    const result = await setOwner(deps(), admin, 'welcome-gift', { personId: gifts });
    expect(await ownerKeyOf('welcome-gift')).toBe('gifts@example.com');
    // The new owner is told, through the outbox, in the same transaction.
    const told = await t.db.selectFrom('outbox').select(['target']).where('id', 'in', result.outboxIds).execute();
    expect(told.map((o) => o.target)).toContainEqual({ kind: 'person', personId: gifts });
    await setOwner(deps(), admin, 'welcome-gift', null);
    expect(await ownerKeyOf('welcome-gift')).toBe('head-of-onboarding@example.com (inherited from onboarding)');
  });

  it('lets the current owner hand over, and refuses anyone else', async () => {
    const onboardingOwner = await actor('head-of-onboarding@example.com');
    const stranger = await actor('someone@example.com');
    const next = await personForEmail(t.db, orgId, 'next@example.com');
    await expect(setOwner(deps(), stranger, 'onboarding', { personId: next })).rejects.toBeInstanceOf(PermissionDenied);
    expect(await ownerKeyOf('onboarding')).toBe('head-of-onboarding@example.com');
    // The owner of onboarding is accountable for welcome-gift too (inherited), so may name its owner.
    await setOwner(deps(), onboardingOwner, 'welcome-gift', { personId: next });
    await setOwner(deps(), onboardingOwner, 'onboarding', { personId: next });
    expect(await ownerKeyOf('onboarding')).toBe('next@example.com');
    const events = await t.db.selectFrom('journey_events as e').innerJoin('journeys as j', 'j.id', 'e.journey_id').select('e.kind').where('e.kind', '=', 'owner').where('j.org_id', '=', orgId).execute();
    expect(events).toHaveLength(2);
  });

  it('refuses a cycle in the service with a message, and changes nothing', async () => {
    const admin = await actor('cx-director@example.com', ['admin']);
    await addJourney(deps(), admin, { key: 'digital', name: 'Digital service', level: 'journey', parent: 'service' });
    await addJourney(deps(), admin, { key: 'app', name: 'App', level: 'journey', parent: 'digital' });
    await expect(moveJourney(deps(), admin, 'service', 'app')).rejects.toThrow(/cycle/);
    await expect(moveJourney(deps(), admin, 'service', 'service')).rejects.toBeInstanceOf(InvalidInput);
    const { tree } = await loadTree(t.db, orgId);
    expect(tree.parent(tree.byKey('service')!.id)?.key).toBe('lifecycle');
  });

  it('refuses a cycle in the database itself, whatever the caller', async () => {
    const { tree } = await loadTree(t.db, orgId);
    const attempt = sql`update journeys set parent_id = ${tree.byKey('apply')!.id} where id = ${tree.byKey('orientation')!.id}`.execute(t.db);
    await expect(attempt).rejects.toMatchObject({ code: '23514', constraint: 'journeys_no_cycle' });
    const other = (await orgsRepo.createOrganisation(t.db, 'Other')).id;
    const foreign = sql`insert into journeys (org_id, key, name, level, parent_id) values (${other}, 'x', 'X', 'journey', ${tree.byKey('lifecycle')!.id})`.execute(t.db);
    await expect(foreign).rejects.toMatchObject({ code: '23503' });
  });

  it('moves a subtree: children follow, owners are inherited from the new parent, levels are kept in order', async () => {
    const admin = await actor('cx-director@example.com', ['admin']);
    const moved = await moveJourney(deps(), admin, 'moving', 'service');
    expect(moved.moved).toBe(2);
    const { tree } = await loadTree(t.db, orgId);
    expect(tree.ancestors(tree.byKey('change-address')!.id).map((j) => j.key)).toEqual(['moving', 'service', 'lifecycle']);
    expect(await ownerKeyOf('moving')).toBe('head-of-service@example.com (inherited from service)');
    await expect(moveJourney(deps(), admin, 'onboarding', 'welcome-gift')).rejects.toThrow(/cycle/);
    await expect(moveJourney(deps(), admin, 'billing', 'apply')).rejects.toThrow(/cannot sit under a task/);
    await expect(moveJourney(deps(), await actor('head-of-sales@example.com'), 'billing', 'orientation')).rejects.toBeInstanceOf(PermissionDenied);
    await moveJourney(deps(), admin, 'moving', null);
    expect((await loadTree(t.db, orgId)).tree.roots().map((j) => j.key)).toEqual(['lifecycle', 'moving']);
  });

  it('two concurrent moves that would together make a cycle: one of them is refused', async () => {
    if (kind === 'pglite') return; // one embedded session: transactions cannot overlap there
    const admin = await actor('cx-director@example.com', ['admin']);
    await addJourney(deps(), admin, { key: 'a', name: 'A', level: 'journey', parent: 'lifecycle' });
    await addJourney(deps(), admin, { key: 'b', name: 'B', level: 'journey', parent: 'lifecycle' });
    const results = await Promise.allSettled([moveJourney(deps(), admin, 'a', 'b'), moveJourney(deps(), admin, 'b', 'a')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const { tree } = await loadTree(t.db, orgId);
    expect(tree.ancestors(tree.byKey('a')!.id).some((j) => j.key === 'a')).toBe(false);
    expect(tree.ancestors(tree.byKey('b')!.id).some((j) => j.key === 'b')).toBe(false);
  });

  it('imports all or nothing, with a report per row', async () => {
    const before = await t.db.selectFrom('journeys').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
    const file = [
      'key,name,level,parent,owner,description',
      'new-one,New one,journey,lifecycle,new@example.com,Fine',
      'Bad Key,Bad,journey,lifecycle,,',
      'orphan,Orphan,task,nowhere,,',
      'upside,Upside,journey,apply,,',
      'loop-a,Loop A,journey,loop-b,,',
      'loop-b,Loop B,journey,loop-a,,',
      'mail,Mail,journey,lifecycle,not-an-email,',
      'new-one,Again,journey,lifecycle,,',
      'commas,Commas,journey,lifecycle,,one, two',
    ].join('\n');
    const report = await importJourneys(t.db, orgId, file, { now: clock.now(), byLabel: 'test' });
    expect(report.ok).toBe(false);
    const byLine = Object.fromEntries(report.errors.map((e) => [e.line, e.message]));
    expect(byLine[3]).toMatch(/^key: expected a key/);
    expect(byLine[4]).toMatch(/parent “nowhere” is neither in the file nor in Steward/);
    expect(byLine[5]).toMatch(/cannot sit under a task/);
    expect(byLine[6]).toMatch(/cycle: loop-a → loop-b → loop-a/);
    expect(byLine[8]).toMatch(/^owner: expected an e-mail/);
    expect(byLine[9]).toMatch(/key new-one is already on line 2/);
    expect(byLine[10]).toMatch(/has 7 fields, expected 6/);
    const after = await t.db.selectFrom('journeys').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(await personForEmail(t.db, orgId, 'new@example.com')).toBeTruthy();
  });

  it('reports the shared data file’s unquoted comma as one bad row and imports nothing', async () => {
    const shared = DEMO.replace('"Invoices, payments and payment problems."', 'Invoices, payments and payment problems.');
    const fresh = (await orgsRepo.createOrganisation(t.db, 'Fresh')).id;
    const report = await importJourneys(t.db, fresh, shared, { now: clock.now(), byLabel: 'test' });
    expect(report.errors).toEqual([{ line: 5, key: 'billing', message: expect.stringMatching(/has 7 fields, expected 6/) }]);
    expect(await t.db.selectFrom('journeys').select('id').where('org_id', '=', fresh).execute()).toEqual([]);
  });

  it('a dry run reports and changes nothing; a real run moves and re-owns in one go, even a swap', async () => {
    const file = [
      'key,name,level,parent,owner,description',
      'moving,Moving house,journey,service,,Moving the product to a new address.',
      'service,Getting help,journey,lifecycle,helpdesk@example.com,Questions and problems while using the product.',
    ].join('\n');
    const dry = await importJourneys(t.db, orgId, file, { now: clock.now(), byLabel: 'test', dryRun: true });
    expect(dry).toMatchObject({ ok: true, dryRun: true, updated: ['moving', 'service'], newPeople: ['helpdesk@example.com'] });
    expect(await ownerKeyOf('service')).toBe('head-of-service@example.com');
    const real = await importJourneys(t.db, orgId, file, { now: clock.now(), byLabel: 'test' });
    expect(real.ok).toBe(true);
    expect(await ownerKeyOf('change-address')).toBe('digital-lead@example.com');
    expect(await ownerKeyOf('moving')).toBe('helpdesk@example.com (inherited from service)');
  });

  it('exports the tree in the import format, and the export imports back unchanged', async () => {
    const { csv } = await exportJourneys(t.db, orgId);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('key,name,level,parent,owner,description');
    expect(lines).toContain('billing,Billing and payment,journey,lifecycle,head-of-finance-ops@example.com,"Invoices, payments and payment problems."');
    expect(lines).toContain('welcome-gift,Receive welcome gift,task,onboarding,,Choosing and receiving the welcome gift.');
    const again = await importJourneys(t.db, orgId, csv, { now: clock.now(), byLabel: 'test' });
    expect(again).toMatchObject({ ok: true, created: [], updated: [] });
    expect(again.unchanged).toHaveLength(11);
  });
});
