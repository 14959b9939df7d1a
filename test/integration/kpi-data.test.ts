// The KPI data layer on Postgres and on the embedded PGlite alike: CSV import of definitions and
// values (all-or-nothing, problems by line and column), replacement with history, and the alert
// state machine with its outbox messages: fire once, remind on the interval, mute, recover, and tell
// the admins when an alert message could not be delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import { evaluateKpiAlerts, reportUndeliverable, type AlertDeps } from '../../src/kpis/alerts.js';
import { muteAlert } from '../../src/kpis/service.js';
import { importKpiDefinitions, importKpiValues } from '../../src/kpis/import.js';
import { findKpiByKey } from '../../src/kpis/repo.js';
import { grantRole, personForEmail } from '../../src/orgs/service.js';
import { type Actor } from '../../src/chat/actor.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

const KPIS = `key,journey,name,unit,direction,target,warning,breach,cadence,glossary_term,breach_periods,remind_every_periods
fcr,service,First contact resolution,%,higher,75,70,65,week,First Contact Resolution,2,2
churn,service,Monthly churn,%,lower,1.2,1.4,1.6,month,,,
`;

describe.each(DATABASE_KINDS)('KPI data on %s', (kind) => {
  let t: TestDatabase;
  let orgId: string;
  let ownerId: string;
  let adminId: string;
  const clock = new ManualClock(new Date('2026-11-24T10:00:00Z'));
  const kicked: string[] = [];
  let deps: AlertDeps;
  const count = async (table: 'kpi_values' | 'kpi_value_history' | 'kpis' | 'outbox' | 'pings') =>
    Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    deps = { db: t.db, clock, log: createLogger('silent'), kickDelivery: (ids) => kicked.push(...ids) };
    orgId = (await t.db.insertInto('organisations').values({ name: 'Acme', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    ownerId = await personForEmail(t.db, orgId, 'owner@example.com');
    adminId = await personForEmail(t.db, orgId, 'admin@example.com');
    await grantRole(t.db, adminId, { orgId, role: 'admin', byLabel: 'test' });
    await t.db.insertInto('journeys').values({ org_id: orgId, key: 'service', name: 'Getting help', level: 'journey', owner_person_id: ownerId }).execute();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('refuses a definitions file with problems, naming line and column, and imports nothing', async () => {
    const bad = `key,journey,name,unit,direction,target,warning,breach,cadence,glossary_term
fcr,service,First contact resolution,%,higher,75,70,65,week,
Bad Key,service,X,,higher,1,1,1,week,
csat,nowhere,CSAT,%,higher,85,80,75,week,
nps,service,NPS,points,higher,30,35,25,week,
fcr,service,Again,%,sideways,75,70,65,fortnight,
`;
    const outcome = await importKpiDefinitions(t.db, orgId, bad);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors.map((e) => [e.index, e.field])).toEqual([
      [3, 'key'],
      [4, 'journey'],
      [5, 'warning'],
      [6, 'direction'],
      [6, 'cadence'],
    ]);
    expect(outcome.errors.find((e) => e.field === 'warning')?.problem).toContain('target ≥ warning ≥ breach');
    expect(await count('kpis')).toBe(0);
  });

  it('imports definitions, then updates them by key', async () => {
    expect(await importKpiDefinitions(t.db, orgId, KPIS)).toMatchObject({ ok: true, created: 2, updated: 0 });
    expect(await importKpiDefinitions(t.db, orgId, KPIS.replace('75,70,65', '80,70,65'))).toMatchObject({ ok: true, created: 0, updated: 2 });
    expect((await findKpiByKey(t.db, orgId, 'fcr'))?.target).toBe(80);
    expect(await count('kpis')).toBe(2);
  });

  it('imports a values file all-or-nothing: one bad row and nothing is stored', async () => {
    const rows = ['kpi,period_start,segment,value'];
    for (let i = 0; i < 500; i++) rows.push(`fcr,${new Date(Date.UTC(2014, 0, 6) + i * 7 * 86_400_000).toISOString().slice(0, 10)},all,${70 + (i % 10)}`);
    rows.push('churn,2026-10-15,all,1.3');
    const outcome = await importKpiValues(t.db, orgId, rows.join('\n'), { source: 'csv:test', now: clock.now() });
    expect(outcome).toMatchObject({ ok: false, errorCount: 1, errors: [{ index: 502, field: 'period_start' }] });
    expect(await count('kpi_values')).toBe(0);
    const good = await importKpiValues(t.db, orgId, rows.slice(0, -1).join('\n'), { source: 'csv:test', now: clock.now() });
    expect(good).toMatchObject({ ok: true, stored: 500, inserted: 500 });
    expect(await count('kpi_values')).toBe(500);
  });

  it('replaces a re-imported period and keeps the old value in the append-only history', async () => {
    const twice = await importKpiValues(t.db, orgId, 'kpi,period_start,segment,value\n\nchurn,2026-08-01,all,1.5\nchurn,2026-08-01,all,1.6\n', { source: 'csv:a', now: clock.now() });
    expect(twice).toMatchObject({ ok: false, errors: [{ index: 4, field: 'period_start', problem: 'repeats the value for churn, segment all, period 2026-08-01 of line 3' }] });
    const csv = 'kpi,period_start,segment,value,source\nchurn,2026-09-01,all,1.5,finance\n';
    expect(await importKpiValues(t.db, orgId, csv, { source: 'csv:a', now: clock.now() })).toMatchObject({ ok: true, inserted: 1 });
    expect(await importKpiValues(t.db, orgId, csv.replace('1.5', '1.45'), { source: 'csv:b', now: clock.now() })).toMatchObject({ ok: true, replaced: 1 });
    const history = await t.db.selectFrom('kpi_value_history').select(['old_value', 'new_value', sql<string>`period_start::text`.as('period')]).execute();
    expect(history).toEqual([{ old_value: 1.5, new_value: 1.45, period: '2026-09-01' }]);
    await expect(sql`delete from kpi_value_history`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('fires once after the breach lasts its periods, reminds on the interval, and recovers', async () => {
    const fcr = await findKpiByKey(t.db, orgId, 'fcr');
    if (!fcr) throw new Error('fcr missing');
    const put = (rows: string) => importKpiValues(t.db, orgId, `kpi,period_start,segment,value\n${rows}`, { source: 'test', now: clock.now() });
    await put('fcr,2026-10-12,all,64');
    expect((await evaluateKpiAlerts(deps, fcr.id)).decisions).toEqual([]);
    await put('fcr,2026-10-19,all,63');
    expect((await evaluateKpiAlerts(deps, fcr.id)).decisions).toEqual([{ segment: 'all', kind: 'fire' }]);
    expect(await count('pings')).toBe(1);
    expect((await evaluateKpiAlerts(deps, fcr.id)).decisions).toEqual([]);
    await put('fcr,2026-10-26,all,62');
    expect((await evaluateKpiAlerts(deps, fcr.id)).decisions).toEqual([]);
    // The first ping is still unacknowledged: the reminder interval passes, but it is escalating already.
    await put('fcr,2026-11-02,all,61');
    expect((await evaluateKpiAlerts(deps, fcr.id)).decisions).toEqual([{ segment: 'all', kind: 'remind' }]);
    expect(await count('pings')).toBe(1);
    // Once acknowledged, the next interval sends a reminder ping.
    await t.db.updateTable('pings').set({ state: 'acknowledged' }).execute();
    await put('fcr,2026-11-09,all,60\nfcr,2026-11-16,all,60');
    expect((await evaluateKpiAlerts(deps, fcr.id)).decisions).toEqual([{ segment: 'all', kind: 'remind' }]);
    expect(await count('pings')).toBe(2);

    // Muting is for the owner (or an admin); then no reminder until it recovers.
    const stranger: Actor = { personId: adminId, orgId, name: 'x', email: null, roles: new Set(), platform: 'slack', platformUserId: 'U1' };
    await expect(muteAlert(deps, stranger, fcr, 'all')).rejects.toThrow(/Only the owner/);
    const owner: Actor = { ...stranger, personId: ownerId };
    expect((await muteAlert(deps, owner, fcr, 'all')).title).toContain('Muted');
    clock.set('2027-01-05T10:00:00Z');
    await put('fcr,2026-11-23,all,59\nfcr,2026-11-30,all,59\nfcr,2026-12-07,all,59');
    expect((await evaluateKpiAlerts(deps, fcr.id)).decisions).toEqual([]);
    await put('fcr,2026-12-14,all,71');
    expect((await evaluateKpiAlerts(deps, fcr.id)).decisions).toEqual([{ segment: 'all', kind: 'recover' }]);
    const pings = await t.db.selectFrom('pings').select('state').orderBy('created_at').execute();
    expect(pings.map((p) => p.state)).toEqual(['acknowledged', 'resolved']);
    const events = await t.db.selectFrom('kpi_alert_events').select('kind').where('kind', 'in', ['fired', 'muted', 'recovered']).orderBy('id').execute();
    expect(events.map((e) => e.kind)).toEqual(['fired', 'muted', 'recovered']);
  });

  it('tells the admins once about an alert message that could not be delivered', async () => {
    clock.set('2026-11-25T10:00:00Z');
    const failed = await t.db
      .selectFrom('kpi_alert_events')
      .select('outbox_id')
      .where('kind', '=', 'fired')
      .where('target', '=', 'owner')
      .executeTakeFirstOrThrow();
    await t.db.updateTable('outbox').set({ status: 'failed', last_error: 'this person has not used Steward yet' }).where('id', '=', String(failed.outbox_id)).execute();
    const before = await count('outbox');
    expect(await reportUndeliverable(deps)).toBe(1);
    expect(await reportUndeliverable(deps)).toBe(0);
    const notice = await t.db.selectFrom('outbox').select(['target', 'message']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(notice.target).toEqual({ kind: 'person', personId: adminId });
    expect(JSON.stringify(notice.message)).toContain('could not be delivered');
    expect(await count('outbox')).toBe(before + 1);
  });
});
