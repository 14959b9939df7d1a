// A journey's history read from real Postgres and from embedded PGlite: every kind of change with
// its people, journeys and channel named as they are today, pings with their steps, the latest 20
// of each with the totals, and nothing of another organisation's journey.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { importJourneys } from '../../src/journeys/csv.js';
import { HISTORY_SHOWN, loadJourneyHistory } from '../../src/pings/history-view.js';
import { acknowledgePing } from '../../src/pings/transitions.js';
import { createPing } from '../../src/pings/service.js';
import { latestJourneyEvents, latestPingsAbout } from '../../src/journeys/repo.js';
import { loadTree, moveJourney, setChannel, setDeputy, setOwner } from '../../src/journeys/service.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { personForEmail } from '../../src/orgs/service.js';
import { type Actor } from '../../src/chat/actor.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');

describe.each(DATABASE_KINDS)('journey history on %s', (kind) => {
  let t: TestDatabase;
  let orgId: string;
  let otherOrgId: string;
  let admin: Actor;
  let olga: string;
  let gina: string;
  const clock = new ManualClock(new Date('2027-03-12T09:00:00Z'));
  const deps = () => ({ db: t.db, clock });

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    orgId = (await orgsRepo.createOrganisation(t.db, 'Acme')).id;
    otherOrgId = (await orgsRepo.createOrganisation(t.db, 'Other')).id;
    for (const org of [orgId, otherOrgId]) expect((await importJourneys(t.db, org, DEMO, { now: clock.now(), byLabel: 'cli' })).errors).toEqual([]);
    const personId = await personForEmail(t.db, orgId, 'dana@example.com', 'Dana Director');
    await t.db.insertInto('roles').values({ person_id: personId, role: 'admin', granted_by: 'test' }).execute();
    admin = { personId, orgId, name: 'Dana Director', email: 'dana@example.com', roles: new Set(['admin']), platform: 'slack', platformUserId: 'UDANA' };
    // Named by the import after the e-mail, until she first uses Steward.
    olga = await personForEmail(t.db, orgId, 'head-of-onboarding@example.com');
    gina = await personForEmail(t.db, orgId, 'gina@example.com', 'Gina Gifts');
  });
  afterAll(async () => {
    await t.drop();
  });

  const history = async (key: string, org = orgId) => {
    const { rows } = await loadTree(t.db, org);
    return loadJourneyHistory(t.db, org, rows.find((r) => r.key === key)!, rows, { personId: 'nobody', isAdmin: true });
  };

  it('names every kind of change with its people, journeys and channel, newest first', async () => {
    clock.advance(60_000);
    await moveJourney(deps(), admin, 'welcome-gift', 'billing');
    clock.advance(60_000);
    await setOwner(deps(), admin, 'welcome-gift', { personId: gina });
    clock.advance(60_000);
    await setDeputy(deps(), admin, 'welcome-gift', { personId: olga });
    clock.advance(60_000);
    await setChannel(deps(), admin, 'welcome-gift', { platform: 'slack', installationId: 'T1', id: 'C1', kind: 'channel', name: 'gifts' });

    const view = await history('welcome-gift');
    expect(view.changesTotal).toBe(5);
    expect(view.changes.map((c) => c.what)).toEqual([
      { kind: 'channel', channelName: '#gifts' },
      { kind: 'deputy', from: null, to: expect.objectContaining({ name: 'head-of-onboarding' }) },
      { kind: 'owner', from: null, to: expect.objectContaining({ name: 'Gina Gifts' }) },
      { kind: 'moved', fromName: 'Welcome journey', toName: 'Billing and payment' },
      { kind: 'imported', created: true },
    ]);
    expect(view.changes[0]?.by).toEqual(expect.objectContaining({ name: 'Dana Director' }));
    expect(view.changes.at(-1)?.by).toBe('cli');
    expect(view.changes[0]?.at).toEqual(clock.now());
  });

  it('tells each ping with its steps oldest first, and shows the latest 20 of each with the totals', async () => {
    const { rows } = await loadTree(t.db, orgId);
    const onboarding = rows.find((r) => r.key === 'onboarding')!;
    const pingIds: string[] = [];
    for (let i = 0; i < 22; i++) {
      clock.advance(60_000);
      const created = await t.db.transaction().execute((trx) =>
        createPing(trx, { orgId, journeyId: onboarding.id, fromPersonId: admin.personId, reason: 'manual', message: `Ping number ${i}`, dedupeKey: `test:${i}`, now: clock.now() }),
      );
      pingIds.push(created.pingId);
    }
    clock.advance(60_000);
    const olgaActor: Actor = { personId: olga, orgId, name: 'head-of-onboarding', email: null, roles: new Set(), platform: 'slack', platformUserId: 'UOLGA' };
    await acknowledgePing(deps(), olgaActor, pingIds.at(-1)!);
    for (let i = 0; i < 22; i++) await setOwner(deps(), admin, 'onboarding', { personId: i % 2 ? olga : gina });

    const view = await history('onboarding');
    expect(view.pingsTotal).toBe(22);
    expect(view.pings).toHaveLength(HISTORY_SHOWN);
    expect(view.pings[0]).toMatchObject({ message: 'Ping number 21', state: 'acknowledged', from: { name: 'Dana Director' } });
    expect(view.pings[0]?.steps.map((s) => [s.kind, s.to?.name ?? s.actor?.name])).toEqual([
      ['sent', 'head-of-onboarding'],
      ['acknowledged', 'head-of-onboarding'],
    ]);
    expect(view.pings.at(-1)?.message).toBe('Ping number 2');
    expect(view.changesTotal).toBe(23);
    expect(view.changes).toHaveLength(HISTORY_SHOWN);
  });

  it('reads nothing of a journey through another organisation', async () => {
    const { rows } = await loadTree(t.db, orgId);
    const onboarding = rows.find((r) => r.key === 'onboarding')!;
    expect(await latestJourneyEvents(t.db, otherOrgId, onboarding.id, 20)).toEqual([]);
    expect(await latestPingsAbout(t.db, otherOrgId, onboarding.id, 20)).toEqual([]);
    const other = await history('onboarding', otherOrgId);
    expect(other).toMatchObject({ changesTotal: 1, pingsTotal: 0 });
  });
});
