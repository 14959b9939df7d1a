// A new user's first commands on a fresh database: every import, `role grant` and `token create`
// behave the same way (the organisation is created, and said so), the read-only ones say there is
// nothing yet without pushing towards the demo data, and files imported out of order are told once
// which file comes first.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const demo = (name: string) => readFileSync(new URL(`../../data/demo/${name}`, import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'steward-fresh-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('the CLI on a fresh database', () => {
  let t: TestDatabase;
  let config: Config;

  async function steward(...args: string[]): Promise<{ lines: string[]; error?: Error }> {
    const lines: string[] = [];
    try {
      await buildCli(config, (line) => lines.push(line)).parseAsync(args, { from: 'user' });
      return { lines };
    } catch (error) {
      return { lines, error: error instanceof Error ? error : new Error(String(error)) };
    }
  }
  const organisations = async () => t.db.selectFrom('organisations').select('name').execute();

  beforeEach(async () => {
    t = await createTestDatabase('postgres');
    config = loadConfig({ DATABASE_URL: t.url, LOG_LEVEL: 'silent', STEWARD_ORG_NAME: 'Acme' });
  });
  afterEach(async () => {
    await t.drop();
  });

  it.each([
    ['import journeys', () => ['import', 'journeys', file('journeys.csv', demo('journeys.csv'))]],
    ['import glossary', () => ['import', 'glossary', file('glossary.csv', demo('glossary.csv'))]],
    ['import kpis', () => ['import', 'kpis', file('kpis-only.csv', 'key,journey,name,unit,direction,target,warning,breach,cadence,glossary_term\n')]],
    ['role grant', () => ['role', 'grant', '--email', 'ann@example.com', '--role', 'admin']],
    ['token create', () => ['token', 'create', '--name', 'warehouse']],
  ])('%s creates the organisation and says so', async (_name, args) => {
    const { lines, error } = await steward(...args());
    expect(error).toBeUndefined();
    expect(lines.join('\n')).toContain('Created the organisation “Acme”');
    expect(await organisations()).toEqual([{ name: 'Acme' }]);
  });

  it('role grant --teams-user gives the Agents Playground’s user a role by its Teams id, linking the tenant', async () => {
    const aad = '00000000-0000-0000-0000-0000000000020';
    const tenant = '00000000-0000-0000-0000-0000000000001';
    const { lines, error } = await steward('role', 'grant', '--teams-user', aad, '--tenant', tenant, '--role', 'admin');
    expect(error).toBeUndefined();
    expect(lines.at(-1)).toBe(`Teams user ${aad} is now an admin.`);
    const row = await t.db
      .selectFrom('identities as i')
      .innerJoin('roles as r', 'r.person_id', 'i.person_id')
      .select(['r.role'])
      .where('i.platform', '=', 'teams')
      .where('i.installation_external_id', '=', tenant)
      .where('i.external_user_id', '=', aad)
      .executeTakeFirst();
    expect(row?.role).toBe('admin');
    expect((await steward('role', 'grant', '--role', 'admin')).error?.message).toContain('--email <email> or --teams-user <id>');
  });

  it('role grant --teams-user with --email links that Teams user to the person with the e-mail, and refuses a Teams user who is someone else', async () => {
    const tenant = '00000000-0000-0000-0000-0000000000001';
    const aad = '00000000-0000-0000-0000-0000000000031';
    const { lines, error } = await steward('role', 'grant', '--teams-user', aad, '--tenant', tenant, '--email', 'dana@example.com', '--role', 'board');
    expect(error).toBeUndefined();
    expect(lines.at(-1)).toBe('dana@example.com is now a board member.');
    const linked = await t.db
      .selectFrom('identities as i')
      .innerJoin('people as p', 'p.id', 'i.person_id')
      .select(['p.email'])
      .where('i.platform', '=', 'teams')
      .where('i.external_user_id', '=', aad)
      .executeTakeFirst();
    expect(linked?.email).toBe('dana@example.com');
    const other = await steward('role', 'grant', '--teams-user', aad, '--tenant', tenant, '--email', 'erik@example.com', '--role', 'board');
    expect(other.error?.message).toContain('already');
  });

  it('a read-only command says there is nothing yet, and how it comes, without pointing at the demo data', async () => {
    const { error } = await steward('export', 'journeys');
    expect(error?.message).toContain('There is no organisation yet');
    expect(error?.message).toContain('steward import');
    expect(error?.message).not.toContain('seed demo');
    expect(await organisations()).toEqual([]);
  });

  it('KPI values imported before the KPIs: said once with the file to import first and a few rows, not once per line', async () => {
    await steward('import', 'journeys', file('journeys.csv', demo('journeys.csv')));
    const { lines, error } = await steward('import', 'kpi-values', file('kpi-values.csv', demo('kpi-values.csv')));
    expect(error).toBeDefined();
    expect(lines[0]).toContain('names KPIs that are not imported yet: import them first with `steward import kpis');
    expect(lines[0]).toContain('journeys → KPIs → KPI values');
    expect(lines.length).toBeLessThan(12);
    expect(lines.at(-1)).toMatch(/^Nothing was imported/);
  });

  it('KPIs imported before the journeys: said once with the file to import first', async () => {
    const { lines, error } = await steward('import', 'kpis', file('kpis.csv', demo('kpis.csv')));
    expect(error).toBeDefined();
    expect(lines[0]).toContain('Created the organisation');
    expect(lines[1]).toContain('names journeys that are not imported yet: import them first with `steward import journeys');
    expect(lines.length).toBeLessThan(12);
  });
});
