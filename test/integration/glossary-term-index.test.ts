// The glossary's term indexes: built in the background, trusted only while change notices arrive,
// never installed from a read that a change overtook; and the change notices that say which table
// (or which part of the glossary) changed, on Postgres and on PGlite.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { TermIndex } from '../../src/glossary/matching/term-index.js';
import { TermIndexes } from '../../src/glossary/matching/term-indexes.js';
import { createLogger } from '../../src/log.js';
import { waitUntil } from '../support/wait.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

const DEMO_CSV = readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8');

describe.each(DATABASE_KINDS)('term indexes on %s', (kind) => {
  let database: TestDatabase;
  let orgId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    orgId = (await database.db.insertInto('organisations').values({ name: 'Indexed', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    await importGlossaryCsv(database.db, orgId, DEMO_CSV, { by: 'test', now: new Date('2026-03-12T10:00:00Z') });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('offers no index while disabled (no change notices), and one built in the background once enabled', async () => {
    const indexes = new TermIndexes(database.db, createLogger('silent'));
    expect(indexes.current(orgId)).toBeUndefined();
    expect(await indexes.ready(orgId)).toBeUndefined();
    indexes.enable();
    expect(indexes.current(orgId)).toBeUndefined(); // the first asks for a build and does not wait for it
    const index = await indexes.ready(orgId);
    expect(index?.size).toBe(await countTerms(database, orgId));
    expect(index?.exactMatches({ norm: 'nps', key: 'nps', compact: 'nps', tokens: ['nps'] }).map((c) => c.name)).toEqual(['Net Promoter Score']);
    expect(['promoter', 'npx'].filter((word) => index?.knows(word))).toEqual(['promoter']);
    expect(indexes.current(orgId)).toBe(index);
  });

  it('counts shared words the same way lookup after lookup: a reading leaves nothing counted behind', async () => {
    const index = await TermIndex.load(database.db, orgId);
    const names = (readings: string[][][]) => index.sharedWordMatches(readings).map((c) => c.name);
    const journeyAndCustomer = [['journey'], ['customer']];
    const expected = names([journeyAndCustomer]);
    expect(expected).toContain('Customer journey');
    expect(names([journeyAndCustomer])).toEqual(expected);
    // Readings that count the same terms one after another (a loose one among them), and then the first again.
    names([[['journey']], [['customer'], ['journey'], ['score']]]);
    names([[['journey', 'customer']]]);
    expect(names([journeyAndCustomer])).toEqual(expected);
    const counting = (index as unknown as { counting: Uint8Array }).counting;
    expect(counting.length).toBeGreaterThan(0);
    expect(counting.every((state) => state === 0)).toBe(true);
  });

  it('forgets every index on a change and on losing the notices', async () => {
    const indexes = new TermIndexes(database.db, createLogger('silent'), { pauseFactor: 0 });
    indexes.enable();
    expect(await indexes.ready(orgId)).toBeDefined();
    indexes.forget();
    expect(indexes.current(orgId)).toBeUndefined();
    expect(await indexes.ready(orgId)).toBeDefined();
    indexes.disable();
    expect(indexes.current(orgId)).toBeUndefined();
  });

  it('never installs an index whose read a change overtook', async () => {
    const indexes = new TermIndexes(database.db, createLogger('silent'), { pauseFactor: 0 });
    indexes.enable();
    indexes.current(orgId); // a build starts…
    indexes.forget(); // …and a change arrives before it ends
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(indexes.current(orgId)).toBeUndefined(); // the overtaken build was dropped; this asks for a new one
    expect(await indexes.ready(orgId)).toBeDefined();
  });

  it('keeps the organisations it indexes within the term budget, dropping the least recently used', async () => {
    const other = (await database.db.insertInto('organisations').values({ name: 'Other', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    await importGlossaryCsv(database.db, other, DEMO_CSV, { by: 'test', now: new Date('2026-03-12T10:00:00Z') });
    const terms = await countTerms(database, orgId);
    const indexes = new TermIndexes(database.db, createLogger('silent'), { maxTerms: terms + 1 });
    indexes.enable();
    expect(await indexes.ready(orgId)).toBeDefined();
    expect(await indexes.ready(other)).toBeDefined();
    // Both do not fit: the one used longest ago went.
    expect(indexes.current(other)).toBeDefined();
    expect(indexes.current(orgId)).toBeUndefined();
  });

  it('says in each change notice which table changed, and when terms were renamed', async () => {
    const tables: string[] = [];
    const notices = await database.listenForChanges({ changed: (table) => tables.push(table), listening: () => {}, lost: () => {} }, createLogger('silent'));
    try {
      // The Postgres listener connects in the background.
      if (kind === 'postgres') {
        const name = `steward change notices ${database.schema}`;
        await waitUntil('the listener listens', async () => (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${name} and query ilike 'listen%'`.execute(database.db)).rows[0]!.n > 0);
      }
      await sql`update glossary_terms set definition = definition || '.' where org_id = ${orgId} and name = 'Touchpoint'`.execute(database.db);
      await waitUntil('a notice names glossary_terms', () => tables.includes('glossary_terms'));
      expect(tables).not.toContain('glossary_names');
      await sql`update glossary_terms set name = 'Touch point', name_norm = 'touch point' where org_id = ${orgId} and name = 'Touchpoint'`.execute(database.db);
      await waitUntil('a notice names glossary_names', () => tables.includes('glossary_names'));
      const indexes = new TermIndexes(database.db, createLogger('silent'));
      expect(['glossary_names', 'glossary_aliases', 'glossary_terms', 'people', 'kpi_values'].filter((table) => indexes.dependsOn(table))).toEqual(['glossary_names', 'glossary_aliases']);
    } finally {
      await notices.close();
    }
  });
});

async function countTerms(database: TestDatabase, orgId: string): Promise<number> {
  const row = await database.db.selectFrom('glossary_terms').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return Number(row.n);
}
