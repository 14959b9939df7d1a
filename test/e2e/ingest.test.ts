// The KPI ingest API through HTTP, as a data pipeline calls it: bearer tokens scoped to one
// organisation, all-or-nothing batches with per-item errors, size and count limits, a rate limit,
// and re-sent values that replace the old ones with the change kept in history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ManualClock } from '../../src/clock.js';
import { importKpiDefinitions } from '../../src/kpis/import.js';
import { createToken, revokeToken } from '../../src/tokens/service.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

const KPIS_CSV = `key,journey,name,unit,direction,target,warning,breach,cadence,glossary_term
avoidable-onboarding,onboarding,Avoidable contacts per 100 new customers,per 100,lower,15,20,25,week,Avoidable contact
nps-onboarding,onboarding,Onboarding NPS,points,higher,40,35,30,week,Net Promoter Score
churn,onboarding,Monthly churn,%,lower,1.2,1.4,1.6,month,
`;

/** Mondays going back from 16 November 2026. */
function monday(weeksBack: number): string {
  return new Date(Date.UTC(2026, 10, 16) - weeksBack * 7 * 86_400_000).toISOString().slice(0, 10);
}

describe('KPI ingest API', () => {
  let t: TestSteward;
  let orgId: string;
  let token: string;
  let otherOrgToken: string;

  const post = (path: string, body: unknown, bearer: string | null = token) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer !== null ? { authorization: `Bearer ${bearer}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const storedCount = async () => Number((await t.database.db.selectFrom('kpi_values').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await startTestSteward({ workers: false, clock: new ManualClock(new Date('2026-11-24T10:00:00Z')) });
    const db = t.database.db;
    orgId = (await db.insertInto('organisations').values({ name: 'Acme', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    await db.insertInto('journeys').values({ org_id: orgId, key: 'onboarding', name: 'Welcome journey', level: 'journey' }).execute();
    const imported = await importKpiDefinitions(db, orgId, KPIS_CSV);
    expect(imported.ok).toBe(true);
    token = (await createToken(db, { orgId, name: 'warehouse' })).token;
    const otherOrg = (await db.insertInto('organisations').values({ name: 'Other', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    otherOrgToken = (await createToken(db, { orgId: otherOrg, name: 'warehouse' })).token;
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores a valid batch for one KPI and says what it did', async () => {
    const response = await post('/api/v1/kpis/avoidable-onboarding/values', {
      values: [
        { period_start: monday(2), value: 18.5 },
        { period_start: monday(1), value: 19.25, segment: 'new-customers' },
        { period_start: monday(0), value: 21, source: 'crm export' },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ stored: 3, inserted: 3, replaced: 0, unchanged: 0 });
    const rows = await t.database.db
      .selectFrom('kpi_values')
      .select([sql<string>`period_start::text`.as('period'), 'segment', 'value', 'source'])
      .orderBy('period_start')
      .execute();
    expect(rows).toEqual([
      { period: monday(2), segment: 'all', value: 18.5, source: 'api:warehouse' },
      { period: monday(1), segment: 'new-customers', value: 19.25, source: 'api:warehouse' },
      { period: monday(0), segment: 'all', value: 21, source: 'crm export' },
    ]);
  });

  it('stores 1,000 values across KPIs in one request', async () => {
    const before = await storedCount();
    const values = Array.from({ length: 1000 }, (_, i) => ({ kpi: i % 2 ? 'nps-onboarding' : 'avoidable-onboarding', segment: `s${i % 100}`, period_start: monday(10 + Math.floor(i / 100)), value: i / 10 }));
    const response = await post('/api/v1/kpi-values', { values });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ stored: 1000, inserted: 1000 });
    expect(await storedCount()).toBe(before + 1000);
  });

  it('refuses a batch of 1,000 with one bad item: 400 naming it, and nothing stored', async () => {
    const before = await storedCount();
    const values: unknown[] = Array.from({ length: 1000 }, (_, i) => ({ kpi: 'nps-onboarding', segment: `b${i}`, period_start: monday(30), value: 30 + (i % 10) }));
    values[637] = { kpi: 'nps-onboarding', segment: 'b637', period_start: monday(30), value: 'forty' };
    const response = await post('/api/v1/kpi-values', { values });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { stored: number; error_count: number; errors: { index: number; field: string; problem: string }[] };
    expect(body.stored).toBe(0);
    expect(body.error_count).toBe(1);
    expect(body.errors).toEqual([{ index: 637, field: 'value', problem: 'expected a number' }]);
    expect(await storedCount()).toBe(before);
  });

  it('names items whose period does not fit the KPI, is in the future, repeats another, or names an unknown KPI', async () => {
    const before = await storedCount();
    const response = await post('/api/v1/kpi-values', {
      values: [
        { kpi: 'nps-onboarding', period_start: '2026-11-10', value: 30 },
        { kpi: 'nps-onboarding', period_start: '2026-11-30', value: 30 },
        { kpi: 'churn', period_start: '2026-10-01', value: 1.3 },
        { kpi: 'churn', period_start: '2026-10-01', value: 1.4 },
        { kpi: 'no-such-kpi', period_start: monday(0), value: 1 },
        { kpi: 'nps-onboarding', period_start: '2026-02-30', value: 1 },
        { kpi: 'nps-onboarding', period_start: monday(0), value: 1, colour: 'red' },
      ],
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { index: number; field: string; problem: string }[] };
    expect(body.errors.map((e) => [e.index, e.field])).toEqual([
      [0, 'period_start'],
      [1, 'period_start'],
      [3, 'period_start'],
      [4, 'kpi'],
      [5, 'period_start'],
      [6, 'item'],
    ]);
    expect(body.errors.find((e) => e.index === 0)?.problem).toContain('a Monday');
    expect(body.errors.find((e) => e.index === 1)?.problem).toContain('has not started yet');
    expect(body.errors.find((e) => e.index === 3)?.problem).toBe('repeats the value for churn, segment all, period 2026-10-01 of item 2');
    expect(body.errors.find((e) => e.index === 4)?.problem).toContain('no KPI “no-such-kpi”');
    expect(body.errors.find((e) => e.index === 6)?.problem).toContain('colour');
    expect(await storedCount()).toBe(before);
  });

  it('refuses a missing, wrong or revoked token with 401, and stores nothing', async () => {
    const before = await storedCount();
    const body = { values: [{ period_start: monday(5), value: 20 }] };
    const missing = await post('/api/v1/kpis/avoidable-onboarding/values', body, null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect((await post('/api/v1/kpis/avoidable-onboarding/values', body, 'stw_' + 'x'.repeat(32))).status).toBe(401);
    expect((await post('/api/v1/kpis/avoidable-onboarding/values', body, 'not-a-token')).status).toBe(401);
    const revoked = await createToken(t.database.db, { orgId, name: 'old pipeline' });
    expect((await post('/api/v1/kpis/avoidable-onboarding/values', { values: [{ period_start: monday(6), value: 20 }] }, revoked.token)).status).toBe(200);
    await revokeToken(t.database.db, orgId, 'old pipeline', new Date());
    const afterRevoke = await post('/api/v1/kpis/avoidable-onboarding/values', body, revoked.token);
    expect(afterRevoke.status).toBe(401);
    expect(await afterRevoke.json()).toMatchObject({ error: 'this API token was revoked' });
    expect(await storedCount()).toBe(before + 1);
  });

  it("refuses another organisation's token with 403 and stores nothing", async () => {
    const before = await storedCount();
    const response = await post('/api/v1/kpis/avoidable-onboarding/values', { values: [{ period_start: monday(5), value: 20 }] }, otherOrgToken);
    expect(response.status).toBe(403);
    const batch = await post('/api/v1/kpi-values', { values: [{ kpi: 'avoidable-onboarding', period_start: monday(5), value: 20 }] }, otherOrgToken);
    expect(batch.status).toBe(400);
    expect(await storedCount()).toBe(before);
  });

  it('refuses a token made for AI assistants (scope mcp) with 403 that says which scope it needs, and stores nothing', async () => {
    const before = await storedCount();
    const assistants = await createToken(t.database.db, { orgId, name: 'assistants', scope: 'mcp' });
    const single = await post('/api/v1/kpis/avoidable-onboarding/values', { values: [{ period_start: monday(5), value: 20 }] }, assistants.token);
    const batch = await post('/api/v1/kpi-values', { values: [{ kpi: 'avoidable-onboarding', period_start: monday(5), value: 20 }] }, assistants.token);
    for (const response of [single, batch]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ stored: 0, error: expect.stringContaining('scope "ingest"') });
    }
    expect(await storedCount()).toBe(before);
  });

  it('answers an oversized body with 413, too many items with 413, and malformed JSON with 400', async () => {
    const before = await storedCount();
    const huge = JSON.stringify({ values: [{ period_start: monday(1), value: 1, source: 'x'.repeat(3_000_000) }] });
    expect((await post('/api/v1/kpis/avoidable-onboarding/values', huge)).status).toBe(413);
    const many = Array.from({ length: 5001 }, () => ({ period_start: monday(1), value: 1 }));
    const tooMany = await post('/api/v1/kpis/avoidable-onboarding/values', { values: many });
    expect(tooMany.status).toBe(413);
    expect(await tooMany.json()).toMatchObject({ error: expect.stringContaining('at most 5000') });
    expect((await post('/api/v1/kpis/avoidable-onboarding/values', '{"values": [')).status).toBe(400);
    expect((await post('/api/v1/kpis/avoidable-onboarding/values', { value: 3 })).status).toBe(400);
    expect(await storedCount()).toBe(before);
  });

  it('replaces a re-sent period and keeps the change in history', async () => {
    const db = t.database.db;
    const path = '/api/v1/kpis/nps-onboarding/values';
    expect(await (await post(path, { values: [{ period_start: monday(40), value: 31 }] })).json()).toMatchObject({ inserted: 1 });
    expect(await (await post(path, { values: [{ period_start: monday(40), value: 33.5, source: 'survey tool, corrected' }] })).json()).toMatchObject({ inserted: 0, replaced: 1 });
    expect(await (await post(path, { values: [{ period_start: monday(40), value: 33.5 }] })).json()).toMatchObject({ inserted: 0, replaced: 0, unchanged: 1 });
    const row = await db
      .selectFrom('kpi_values')
      .innerJoin('kpis', 'kpis.id', 'kpi_values.kpi_id')
      .select(['value'])
      .where('kpis.key', '=', 'nps-onboarding')
      .where(sql`period_start`, '=', sql`${monday(40)}::date`)
      .executeTakeFirstOrThrow();
    expect(row.value).toBe(33.5);
    const history = await db
      .selectFrom('kpi_value_history')
      .select(['old_value', 'new_value', 'old_source', 'new_source'])
      .where(sql`period_start`, '=', sql`${monday(40)}::date`)
      .execute();
    expect(history).toEqual([{ old_value: 31, new_value: 33.5, old_source: 'api:warehouse', new_source: 'survey tool, corrected' }]);
    await expect(sql`update kpi_value_history set new_value = 0`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('limits requests per token per minute with 429 and Retry-After', async () => {
    const limited = await createToken(t.database.db, { orgId, name: 'slow pipeline', requestsPerMinute: 2 });
    const body = { values: [{ period_start: monday(50), value: 1 }] };
    expect((await post('/api/v1/kpis/churn/values', { values: [{ period_start: '2025-01-01', value: 1.3 }] }, limited.token)).status).toBe(200);
    expect((await post('/api/v1/kpis/churn/values', { values: [{ period_start: '2025-02-01', value: 1.3 }] }, limited.token)).status).toBe(200);
    const third = await post('/api/v1/kpis/nps-onboarding/values', body, limited.token);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another token is not affected.
    expect((await post('/api/v1/kpis/nps-onboarding/values', body)).status).toBe(200);
  });

  it('stores tokens only as hashes', async () => {
    const rows = await t.database.db.selectFrom('api_tokens').select(['token_hash', 'prefix']).execute();
    for (const row of rows) {
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(token.startsWith(row.prefix) || !token.includes(row.token_hash)).toBe(true);
    }
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});
