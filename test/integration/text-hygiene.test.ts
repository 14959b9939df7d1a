// Stored text carries no bidi overrides or control characters, whichever edge it came in by: chat
// on Slack and on Teams, a CSV import, the ingest API; and every CSV export neutralises formulas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportGlossaryCsv, importGlossaryCsv } from '../../src/glossary/csv.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { postSlack, slashCommandBody } from '../support/slack.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil } from '../support/wait.js';

const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/; // eslint-disable-line no-control-regex

describe('text hygiene at every edge', () => {
  let t: TestSteward;
  let orgId: string;
  beforeAll(async () => {
    t = await startTestSteward();
    orgId = await t.steward.services.orgs.defaultOrganisation();
  });
  afterAll(async () => {
    await t.close();
  });

  const proposals = () => t.database.db.selectFrom('glossary_proposals').select(['name', 'definition']).execute();

  it('a term proposed in Slack and in Teams is stored without bidi overrides or control characters', async () => {
    await postSlack(t.url, slashCommandBody({ command: '/glossary', text: 'propose Churn\u202Erate = Customers who\u001b[31m leave\u0007 in a period.' }));
    const teams = await postActivity(t.url, teamsMessage({ text: 'glossary propose Win\u2066back = Customers who come back\u001b]0;x\u0007 after leaving.', serviceUrl: t.connector.url }));
    expect(teams.status).toBe(200);
    await waitUntil('both proposals are stored', async () => (await proposals()).length === 2);
    for (const row of await proposals()) {
      expect(row.name).not.toMatch(UNSAFE);
      expect(row.definition ?? '').not.toMatch(UNSAFE);
    }
    expect((await proposals()).map((p) => p.name).sort()).toEqual(['Churnrate', 'Winback']);
  });

  it('a CSV import stores clean text, and the export neutralises formulas and prints no escape sequence', async () => {
    const csv = 'term,aliases,definition,notes,steward,status\n"Effort\u202E score",,"=HYPERLINK(""https://example.com"")\u001b[2J",Bell\u0007 here,,approved\n';
    const report = await importGlossaryCsv(t.database.db, orgId, csv, { by: 'test', now: new Date() });
    expect(report.problems).toEqual([]);
    const term = await t.database.db.selectFrom('glossary_terms').select(['name']).where('name', 'like', 'Effort%').executeTakeFirstOrThrow();
    expect(term.name).toBe('Effort score');
    const exported = await exportGlossaryCsv(t.database.db, orgId);
    expect(exported).not.toMatch(UNSAFE);
    expect(exported).toContain('"\'=HYPERLINK(""https://example.com"")[2J"');
  });

  it('the journeys export neutralises formula cells, and imports back to the same text', async () => {
    const { importJourneys, exportJourneys } = await import('../../src/journeys/csv.js');
    const csv = 'key,name,level,parent,owner,description\nformula-test,"=HYPERLINK(""https://example.com"")",lifecycle,,,@SUM(A1) and \u001b[2Jmore\n';
    const imported = await importJourneys(t.database.db, orgId, csv, { dryRun: false, now: new Date(), byLabel: "test" });
    expect(imported.errors).toEqual([]);
    const { csv: exported } = await exportJourneys(t.database.db, orgId);
    const line = exported.split('\n').find((l) => l.startsWith('formula-test')) ?? '';
    expect(line).toContain(`"'=HYPERLINK(""https://example.com"")"`);
    expect(line).toContain("'@SUM(A1) and [2Jmore");
    expect(exported).not.toMatch(UNSAFE);
    const again = await importJourneys(t.database.db, orgId, exported, { dryRun: true, now: new Date(), byLabel: 'test' });
    expect(again.unchanged).toContain('formula-test');
  });

  it('the ingest API stores a clean source', async () => {
    const { readFileSync } = await import('node:fs');
    const { importJourneys } = await import('../../src/journeys/csv.js');
    const { importKpiDefinitions } = await import('../../src/kpis/import.js');
    const { createToken } = await import('../../src/tokens/service.js');
    const demo = (name: string) => readFileSync(new URL(`../../data/demo/${name}`, import.meta.url), 'utf8');
    expect((await importJourneys(t.database.db, orgId, demo('journeys.csv'), { dryRun: false, now: new Date(), byLabel: 'test' })).ok).toBe(true);
    expect((await importKpiDefinitions(t.database.db, orgId, demo('kpis.csv'))).ok).toBe(true);
    const { token } = await createToken(t.database.db, { orgId, name: 'hygiene', createdBy: 'test' });
    const response = await fetch(`${t.url}/api/v1/kpis/nps-onboarding/values`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values: [{ period_start: '2026-11-16', value: 41.5, source: 'ware\u001b[31mhouse\u202E' }] }),
    });
    expect(response.status).toBe(200);
    const stored = await t.database.db.selectFrom('kpi_values').select('source').where('source', 'like', 'ware%').executeTakeFirstOrThrow();
    expect(stored.source).toBe('ware[31mhouse');
  });
});
