// `steward import journeys FILE.csv [--dry-run]` and `steward export journeys`, as a person runs them:
// a report per row, nothing changed on any error, and an export that imports back unchanged.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli.js';
import { CliError } from '../../src/cli-context.js';
import { loadConfig, type Config } from '../../src/config.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');

describe('steward import / export journeys', () => {
  let t: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'steward-journeys-'));
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
  const count = async () => (await t.db.selectFrom('journeys').select('id').execute()).length;

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    config = loadConfig({ DATABASE_URL: t.url, LOG_LEVEL: 'silent' });
    await orgsRepo.createOrganisation(t.db, 'Acme');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('refuses a file with bad rows, reporting each by line, and imports nothing', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, DEMO.replace('"Invoices, payments and payment problems."', 'Invoices, payments and payment problems.').replace('apply,Apply online,task,orientation', 'apply,Apply online,task,nowhere'));
    const { lines, error } = await steward('import', 'journeys', file);
    expect(error).toBeInstanceOf(CliError);
    expect(lines[0]).toMatch(/^Nothing was imported: 2 problems in 11 rows/);
    expect(lines).toContain('  line 5 (billing): has 7 fields, expected 6 (put a name or description that contains a comma in double quotes)');
    expect(lines.some((l) => l.startsWith('  line 9 (apply): parent “nowhere”'))).toBe(true);
    expect(await count()).toBe(0);
  });

  it('a dry run reports what would change and changes nothing; the real run imports the tree', async () => {
    const file = join(dir, 'journeys.csv');
    writeFileSync(file, DEMO);
    const dry = await steward('import', 'journeys', file, '--dry-run');
    expect(dry.error).toBeUndefined();
    expect(dry.lines[0]).toBe('Would import 11 rows: 11 new, 0 changed, 0 unchanged.');
    expect(dry.lines.at(-1)).toBe('Dry run: nothing was changed.');
    expect(await count()).toBe(0);
    const real = await steward('import', 'journeys', file);
    expect(real.error).toBeUndefined();
    expect(real.lines[0]).toBe('Imported 11 rows: 11 new, 0 changed, 0 unchanged.');
    expect(await count()).toBe(11);
  });

  it('exports the tree as CSV in the same format, which imports back with nothing to change', async () => {
    const { lines, error } = await steward('export', 'journeys');
    expect(error).toBeUndefined();
    const csv = lines.join('\n');
    expect(csv.split('\n')[0]).toBe('key,name,level,parent,owner,description');
    expect(csv).toContain('welcome-gift,Receive welcome gift,task,onboarding,,Choosing and receiving the welcome gift.');
    const file = join(dir, 'exported.csv');
    writeFileSync(file, `${csv}\n`);
    const again = await steward('import', 'journeys', file);
    expect(again.lines[0]).toBe('Imported 11 rows: 0 new, 0 changed, 11 unchanged.');
  });

  it('says so when the file cannot be read', async () => {
    const { error } = await steward('import', 'journeys', join(dir, 'missing.csv'));
    expect(error).toBeInstanceOf(CliError);
    expect(error?.message).toMatch(/cannot read/);
  });
});
