// A running Steward answers repeated lookups from memory, and a change made anywhere else (another
// Steward process, the CLI, a database session) reaches its answers through the database's change
// notices: the next lookup shows it. On Postgres (a second connection writes) and on PGlite.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { openPostgres } from '../../src/db/database.js';
import { TermCards } from '../../src/glossary/term-cards.js';
import { postSlack, slashCommandBody } from '../support/slack.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { TEST_DATABASE_URL, type DatabaseKind } from '../support/database.js';

const DEMO_CSV = readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8');

describe.each<DatabaseKind>(['postgres', 'pglite'])('glossary answers from memory on %s', (kind) => {
  let t: TestSteward;

  beforeAll(async () => {
    t = await startTestSteward({ databaseKind: kind });
    await postSlack(t.url, slashCommandBody({ command: '/glossary', text: 'nps', user_id: 'UANN0001' })); // creates the organisation
    const org = await t.database.db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
    await importGlossaryCsv(t.database.db, org.id, DEMO_CSV, { by: 'test', now: new Date() });
    await waitForCacheOn(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const lookup = async (text: string) => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/glossary', text, user_id: 'UANN0001' }));
    return response.text();
  };
  /** An alias of Net Promoter Score, added through a connection Steward does not own. */
  const addAliasElsewhere = (alias: string) =>
    writeElsewhere(
      t,
      kind,
      sql`insert into glossary_aliases (org_id, term_id, alias, alias_norm) select org_id, id, ${alias}, ${alias} from glossary_terms where name = 'Net Promoter Score'`,
    );
  /** Waits until the organisation's term index is current (a lookup asks for it to be built). */
  const indexReady = async () => {
    const org = await t.database.db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
    await lookup('touchpoint');
    expect(await t.steward.termIndexes.ready(org.id)).toBeDefined();
    return org.id;
  };
  const cacheCounts = async () => {
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    const read = (source: string) => Number(new RegExp(`steward_answers_total\\{capability="glossary",source="${source}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    return { cache: read('cache'), database: read('database') };
  };

  it('answers the same question from memory the second time, and logs both lookups', async () => {
    const before = await cacheCounts();
    const first = await lookup('customer effort score');
    const second = await lookup('customer effort score');
    expect(second).toBe(first);
    const after = await cacheCounts();
    expect(after.database - before.database).toBe(1);
    expect(after.cache - before.cache).toBe(1);
    await t.steward.lookupLog.flush();
    const logged = await t.database.db.selectFrom('glossary_lookups').select('outcome').where('query', '=', 'customer effort score').execute();
    expect(logged).toEqual([{ outcome: 'found' }, { outcome: 'found' }]);
  });

  it('shows a definition changed by another connection at the next lookup', async () => {
    expect(await lookup('nps')).not.toContain('Changed elsewhere');
    await writeElsewhere(t, kind, sql`update glossary_terms set definition = 'Changed elsewhere: promoters minus detractors.', version = version + 1 where name = 'Net Promoter Score'`);
    await expect.poll(() => lookup('nps'), { timeout: 5_000, interval: 25 }).toContain('Changed elsewhere');
  });

  it('shows a new alias added elsewhere instead of the remembered miss', async () => {
    expect(await lookup('happy index')).toContain('not in the glossary');
    await addAliasElsewhere('happy index');
    await expect.poll(() => lookup('happy index'), { timeout: 5_000, interval: 25 }).toContain('Net Promoter Score');
  });

  it('lists a KPI defined elsewhere on the term card at the next lookup', async () => {
    expect(await lookup('customer effort score')).not.toContain('KPIs that use this definition');
    await writeElsewhere(
      t,
      kind,
      sql`with j as (insert into journeys (org_id, key, name, level) select id, 'support', 'Support', 'lifecycle' from organisations returning id, org_id)
          insert into kpis (org_id, journey_id, key, name, direction, target, warning, breach, cadence, glossary_term)
          select org_id, id, 'ces-support', 'Effort in support', 'lower', 2, 3, 4, 'month', 'CES' from j`,
    );
    await expect.poll(() => lookup('customer effort score'), { timeout: 5_000, interval: 25 }).toContain('ces-support');
  });

  it('matches in memory once the term index is built, and finds an alias added elsewhere at the next lookup', async () => {
    await indexReady();
    expect(await lookup('promotor scroe')).toContain('Net Promoter Score');
    await addAliasElsewhere('joy quotient');
    // Never asked before, so nothing remembered: only a stale index could miss it.
    await expect.poll(() => lookup('joy quotient'), { timeout: 5_000, interval: 25 }).toContain('Net Promoter Score');
  });

  it('keeps the term index when something other than names and aliases changes', async () => {
    const orgId = await indexReady();
    const before = await cacheCounts();
    await lookup('pain point');
    await writeElsewhere(t, kind, sql`update glossary_terms set definition = 'Changed elsewhere again.', version = version + 1 where name = 'Pain point'`);
    // The answer is forgotten (its card shows the definition); the index of names stays current.
    await expect.poll(() => lookup('pain point'), { timeout: 5_000, interval: 25 }).toContain('Changed elsewhere again');
    expect((await cacheCounts()).database - before.database).toBeGreaterThanOrEqual(2);
    expect(t.steward.termIndexes.current(orgId)).toBeDefined();
  });

  it('answers a new question about a term asked about before without reading its card again, until the card changes', async () => {
    await indexReady();
    const cards = t.steward.termCards.counts;
    expect(await lookup('customer effort score')).toContain('Customer Effort Score');
    const read = cards.cards;
    // A typo and a word order never asked before: matched in memory, the card remembered per term.
    for (const question of ['customer efort score', 'score customer effort', 'custmer effort score']) expect(await lookup(question)).toContain('Customer Effort Score');
    expect(cards.cards).toBe(read);
    await writeElsewhere(t, kind, sql`update glossary_terms set definition = 'Effort, changed elsewhere.', version = version + 1 where name = 'Customer Effort Score'`);
    let asked = 0;
    await expect.poll(() => lookup(`customer effort scor${'e'.repeat(asked++ % 3)}`), { timeout: 5_000, interval: 25 }).toContain('Effort, changed elsewhere');
  });

  it('reads the cards asked for at the same moment in one statement, and says which terms are gone', async () => {
    const orgId = await indexReady();
    const ids = (await t.database.db.selectFrom('glossary_terms').select(['id', 'name']).where('org_id', '=', orgId).orderBy('name').limit(5).execute());
    const cards = new TermCards(t.database.db);
    const gone = '00000000-0000-4000-8000-000000000000';
    const rows = await Promise.all([...ids.map((term) => cards.get(orgId, term.id)), cards.get(orgId, gone)]);
    expect(rows.map((row) => row?.name)).toEqual([...ids.map((term) => term.name), undefined]);
    expect(cards.counts.statements).toBe(1);
  });

  // PGlite lives in the process: there is no connection to lose.
  if (kind === 'postgres')
    it('stops answering from memory while the listener is disconnected, and misses no change made meanwhile', async () => {
    await lookup('csat');
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${`steward change notices ${t.database.schema}`}`.execute(t.database.db);
    await expect.poll(() => t.steward.answersCached(), { timeout: 5_000, interval: 10 }).toBe(false);
    await writeElsewhere(t, kind, sql`update glossary_terms set definition = 'Changed while nobody listened.', version = version + 1 where name = 'Customer Satisfaction Score'`);
    expect(await lookup('csat')).toContain('Changed while nobody listened');
    await waitForCacheOn(t);
    expect(await lookup('csat')).toContain('Changed while nobody listened');
  });
});

/** A write through a connection Steward does not own (on PGlite, the one database session is shared). */
async function writeElsewhere(t: TestSteward, kind: DatabaseKind, statement: ReturnType<typeof sql>): Promise<void> {
  if (kind === 'pglite') {
    await statement.execute(t.database.db);
    return;
  }
  const other = openPostgres({ url: TEST_DATABASE_URL, schema: t.database.schema!, max: 1 });
  try {
    await statement.execute(other.db);
  } finally {
    await other.close();
  }
}

async function waitForCacheOn(t: TestSteward): Promise<void> {
  const started = Date.now();
  // The listener connects in the background; remembered answers start once it listens.
  while (!t.steward.answersCached()) {
    if (Date.now() - started > 10_000) throw new Error('the change listener never connected');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('glossary answers with REMEMBER_ANSWERS=false', () => {
  let t: TestSteward;

  beforeAll(async () => {
    t = await startTestSteward({ databaseKind: 'pglite', env: { REMEMBER_ANSWERS: 'false' } });
    await postSlack(t.url, slashCommandBody({ command: '/glossary', text: 'nps', user_id: 'UANN0001' })); // creates the organisation
    const org = await t.database.db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
    await importGlossaryCsv(t.database.db, org.id, DEMO_CSV, { by: 'test', now: new Date() });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads every lookup from the database: nothing is remembered, no term index is built', async () => {
    const lookup = async (text: string) => (await postSlack(t.url, slashCommandBody({ command: '/glossary', text, user_id: 'UANN0001' }))).text();
    expect(await lookup('customer effort score')).toBe(await lookup('customer effort score'));
    const org = await t.database.db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
    expect(t.steward.answersCached()).toBe(false);
    expect(t.steward.termIndexes.current(org.id)).toBeUndefined();
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).not.toMatch(/steward_answers_total\{capability="glossary",source="cache"\} [1-9]/);
    await t.database.db.updateTable('glossary_terms').set({ definition: 'Changed without a notice.' }).where('name', '=', 'Customer Effort Score').execute();
    expect(await lookup('customer effort score')).toContain('Changed without a notice.');
  });
});
