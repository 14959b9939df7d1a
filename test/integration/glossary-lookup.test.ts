// Lookup quality over the demo glossary, on Postgres and on PGlite, matched in the database and in
// memory (src/glossary/term-index.ts): at least 150 queries of the kinds people really type (typos,
// swapped letters, word order, acronyms, aliases, accents, hyphens, plurals, Dutch/English mixes),
// top-1 accuracy of at least 95 %, never a confident answer for something the glossary does not
// define nor for a term that shares only some of a query's words, and the same answer either way.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { prepare, rank } from '../../src/glossary/matching/lookup.js';
import { loadConfig } from '../../src/config.js';
import { AnswerCache } from '../../src/db/answer-cache.js';
import type { Db } from '../../src/db/database.js';
import { TermIndex } from '../../src/glossary/matching/term-index.js';
import { lookupDetails } from '../../src/glossary/matching/lookup-repo.js';
import { TermCards } from '../../src/glossary/term-cards.js';
import { TermIndexes } from '../../src/glossary/matching/term-indexes.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

const MATCHING_QUERIES: Record<string, [query: string, expected: string][]> = {
  exact: [
    ['Net Promoter Score', 'Net Promoter Score'],
    ['Customer Effort Score', 'Customer Effort Score'],
    ['First Contact Resolution', 'First Contact Resolution'],
    ['Avoidable contact', 'Avoidable contact'],
    ['Touchpoint', 'Touchpoint'],
    ['Moment of truth', 'Moment of truth'],
    ['Pain point', 'Pain point'],
    ['Share of wallet', 'Share of wallet'],
    ['Detractor', 'Detractor'],
    ['Promoter', 'Promoter'],
    ['Passive', 'Passive'],
    ['Governance board', 'Governance board'],
    ['Improvement proposal', 'Improvement proposal'],
    ['Employee experience', 'Employee experience'],
    ['Welcome journey', 'Welcome journey'],
    ['Contact rate', 'Contact rate'],
    ['Repeat contact rate', 'Repeat contact rate'],
    ['Customer satisfaction', 'Customer satisfaction'],
  ],
  casing: [
    ['net promoter score', 'Net Promoter Score'],
    ['NET PROMOTER SCORE', 'Net Promoter Score'],
    ['nEt PrOmOtEr ScOrE', 'Net Promoter Score'],
    ['CUSTOMER JOURNEY', 'Customer journey'],
    ['myaccount', 'MyAccount'],
    ['MYACCOUNT', 'MyAccount'],
    ['Self-Service Rate', 'Self-service rate'],
    ['churn RATE', 'Churn rate'],
    ['Voice Of The Customer', 'Voice of the Customer'],
    ['SHARE OF WALLET', 'Share of wallet'],
  ],
  acronyms: [
    ['NPS', 'Net Promoter Score'],
    ['nps', 'Net Promoter Score'],
    ['CSAT', 'Customer Satisfaction Score'],
    ['csat', 'Customer Satisfaction Score'],
    ['CES', 'Customer Effort Score'],
    ['FCR', 'First Contact Resolution'],
    ['AHT', 'Average Handling Time'],
    ['MoT', 'Moment of truth'],
    ['VoC', 'Voice of the Customer'],
    ['VOC', 'Voice of the Customer'],
    ['CLV', 'Customer Lifetime Value'],
    ['LTV', 'Customer Lifetime Value'],
    ['SoW', 'Share of wallet'],
    ['NBA', 'Next best action'],
    ['CDP', 'Customer Data Platform'],
    ['SLA', 'Service Level Agreement'],
    ['CXM', 'Customer Experience Management'],
    ['EX', 'Employee experience'],
    ['N.P.S.', 'Net Promoter Score'],
    ['c-sat', 'Customer Satisfaction Score'],
    ['S.L.A', 'Service Level Agreement'],
  ],
  aliases: [
    ['promoter score', 'Net Promoter Score'],
    ['satisfaction score', 'Customer Satisfaction Score'],
    ['effort score', 'Customer Effort Score'],
    ['first call resolution', 'First Contact Resolution'],
    ['one-touch resolution', 'First Contact Resolution'],
    ['avoidable call', 'Avoidable contact'],
    ['unnecessary contact', 'Avoidable contact'],
    ['failure demand', 'Avoidable contact'],
    ['handle time', 'Average Handling Time'],
    ['journey', 'Customer journey'],
    ['customer lifecycle', 'Lifecycle journey'],
    ['micro journey', 'Task journey'],
    ['journey manager', 'Journey owner'],
    ['process owner', 'Journey owner'],
    ['contact moment', 'Touchpoint'],
    ['friction', 'Pain point'],
    ['service funnel', 'Online service funnel'],
    ['conversion rate', 'Online conversion rate'],
    ['conversion', 'Online conversion rate'],
    ['digital self-service rate', 'Self-service rate'],
    ['attrition', 'Churn rate'],
    ['churn', 'Churn rate'],
    ['lifetime value', 'Customer Lifetime Value'],
    ['next best offer', 'Next best action'],
    ['single customer view', 'Customer Data Platform'],
    ['passive customer', 'Passive'],
    ['closing the loop', 'Closed-loop feedback'],
    ['outside-in perspective', 'Outside-in'],
    ['journey success', 'Successful customer journey'],
    ['CX board', 'Governance board'],
    ['experience board', 'Governance board'],
    ['improvement idea', 'Improvement proposal'],
    ['customer portal', 'MyAccount'],
    ['my account', 'MyAccount'],
    ['onboarding journey', 'Welcome journey'],
    ['recontact rate', 'Repeat contact rate'],
    ['contacts per customer', 'Contact rate'],
    ['satisfaction', 'Customer satisfaction'],
  ],
  typos: [
    ['net promotor scroe', 'Net Promoter Score'],
    ['net promoter scor', 'Net Promoter Score'],
    ['net promter score', 'Net Promoter Score'],
    ['custmer effort score', 'Customer Effort Score'],
    ['customer efort score', 'Customer Effort Score'],
    ['first contact resolutoin', 'First Contact Resolution'],
    ['frist contact resolution', 'First Contact Resolution'],
    ['avoidible contact', 'Avoidable contact'],
    ['average handeling time', 'Average Handling Time'],
    ['touchpiont', 'Touchpoint'],
    ['touchpoitn', 'Touchpoint'],
    ['tuchpoint', 'Touchpoint'],
    ['moment of thruth', 'Moment of truth'],
    ['voice of the costumer', 'Voice of the Customer'],
    ['onlin service funnel', 'Online service funnel'],
    ['online convertion rate', 'Online conversion rate'],
    ['self servce rate', 'Self-service rate'],
    ['churn rat', 'Churn rate'],
    ['chrun rate', 'Churn rate'],
    ['customer lifetime valeu', 'Customer Lifetime Value'],
    ['share of walet', 'Share of wallet'],
    ['nest best action', 'Next best action'],
    ['customer data platfrom', 'Customer Data Platform'],
    ['service level agreemnt', 'Service Level Agreement'],
    ['detracter', 'Detractor'],
    ['promotor', 'Promoter'],
    ['pasive', 'Passive'],
    ['closed loop feedbak', 'Closed-loop feedback'],
    ['governance baord', 'Governance board'],
    ['improvment proposal', 'Improvement proposal'],
    ['customer experience managment', 'Customer Experience Management'],
    ['employe experience', 'Employee experience'],
    ['welcom journey', 'Welcome journey'],
    ['repeat contcat rate', 'Repeat contact rate'],
    ['journey ownr', 'Journey owner'],
    ['lifecycle journy', 'Lifecycle journey'],
    ['task journee', 'Task journey'],
    ['pain piont', 'Pain point'],
    ['sucessful customer journey', 'Successful customer journey'],
    ['atrition', 'Churn rate'],
  ],
  wordOrder: [
    ['score promoter net', 'Net Promoter Score'],
    ['promoter net score', 'Net Promoter Score'],
    ['effort score customer', 'Customer Effort Score'],
    ['resolution first contact', 'First Contact Resolution'],
    ['contact avoidable', 'Avoidable contact'],
    ['time handling average', 'Average Handling Time'],
    ['journey customer', 'Customer journey'],
    ['owner journey', 'Journey owner'],
    ['rate churn', 'Churn rate'],
    ['rate self-service', 'Self-service rate'],
    ['feedback closed-loop', 'Closed-loop feedback'],
    ['board governance', 'Governance board'],
    ['journey welcome', 'Welcome journey'],
    ['platform customer data', 'Customer Data Platform'],
    ['rate contact repeat', 'Repeat contact rate'],
  ],
  punctuation: [
    ['Net-Promoter-Score', 'Net Promoter Score'],
    ['net_promoter_score', 'Net Promoter Score'],
    ['customer-effort', 'Customer Effort Score'],
    ['self service rate', 'Self-service rate'],
    ['selfservice rate', 'Self-service rate'],
    ['closed loop feedback', 'Closed-loop feedback'],
    ['outside in', 'Outside-in'],
    ['NetPromoterScore', 'Net Promoter Score'],
    ['my-account', 'MyAccount'],
    ['touch-point', 'Touchpoint'],
    ['touch point', 'Touchpoint'],
    // A space left out between two words.
    ['journeyowner', 'Journey owner'],
    ['customerlifetime value', 'Customer Lifetime Value'],
    ['repeatcontact rate', 'Repeat contact rate'],
    ['"Net Promoter Score"', 'Net Promoter Score'],
    ['moment-of-truth!', 'Moment of truth'],
    ['  first   contact    resolution  ', 'First Contact Resolution'],
    ["customer's journey", 'Customer journey'],
    ['Share-of-Wallet?', 'Share of wallet'],
  ],
  accents: [
    ['nét promoter scóre', 'Net Promoter Score'],
    ['vöice of the cüstomer', 'Voice of the Customer'],
    ['détractor', 'Detractor'],
    ['prómoter', 'Promoter'],
    ['touchpoînt', 'Touchpoint'],
    ['çhurn rate', 'Churn rate'],
    ['pàin point', 'Pain point'],
    ['employée experience', 'Employee experience'],
  ],
  plurals: [
    ['touchpoints', 'Touchpoint'],
    ['pain points', 'Pain point'],
    ['detractors', 'Detractor'],
    ['promoters', 'Promoter'],
    ['avoidable contacts', 'Avoidable contact'],
    ['customer journeys', 'Customer journey'],
    ['journey owners', 'Journey owner'],
    ['moments of truth', 'Moment of truth'],
    ['improvement proposals', 'Improvement proposal'],
    ['task journeys', 'Task journey'],
    ['service level agreements', 'Service Level Agreement'],
    ['churn rates', 'Churn rate'],
  ],
  partial: [
    ['customer effort', 'Customer Effort Score'],
    ['first contact', 'First Contact Resolution'],
    ['handling time', 'Average Handling Time'],
    ['voice of customer', 'Voice of the Customer'],
    ['customer lifetime', 'Customer Lifetime Value'],
    ['customer data', 'Customer Data Platform'],
    ['repeat contact', 'Repeat contact rate'],
    ['best action', 'Next best action'],
  ],
  dutchMixed: [
    ['Net Promotor Score', 'Net Promoter Score'],
    ['klant effort score', 'Customer Effort Score'],
    ['Customer Journey Owner', 'Journey owner'],
    ['first contact resolutie', 'First Contact Resolution'],
    ['Customer Satisfaction score (CSAT)', 'Customer Satisfaction Score'],
    ['welkom journey', 'Welcome journey'],
    ['Churn Ratio', 'Churn rate'],
    ['Self-Service ratio', 'Self-service rate'],
    ['Pijn point', 'Pain point'],
    ['touchpoint moment', 'Touchpoint'],
    ['Voice of de Customer', 'Voice of the Customer'],
    ['Mijn Account', 'MyAccount'],
  ],
  // Some of a term's words and nothing else: answered with the term.
  sharedWords: [
    ['experience management', 'Customer Experience Management'],
    ['contact resolution', 'First Contact Resolution'],
    ['data platform', 'Customer Data Platform'],
    ['level agreement', 'Service Level Agreement'],
    ['online funnel', 'Online service funnel'],
    ['closed loop', 'Closed-loop feedback'],
    ['net score', 'Net Promoter Score'],
    ['selfservce rate', 'Self-service rate'],
  ],
};

/** Things the demo glossary does not define: no confident answer may come back for these. */
const NON_MATCHING_QUERIES: string[] = [
  'kubernetes',
  'quarterly revenue forecast',
  'pizza',
  'holiday policy',
  'office wifi password',
  'gdpr',
  'blockchain',
  'marketing budget 2026',
  'expense report',
  'parking',
  'headcount',
  'invoice template',
  'okr',
  'roi',
  'sprint velocity',
  'server uptime',
  'brand guidelines',
  'coffee machine',
  'annual leave',
  'payroll',
  'xyzzy',
  'lorem ipsum dolor',
  'employee of the month',
  'customer birthday',
  'net revenue',
];

/**
 * Queries sharing words with a term while also saying something it does not (a word that matches
 * nothing in its name or aliases): the term is offered as a candidate, never given as the answer.
 */
const WORDS_IN_COMMON: [query: string, shares: string][] = [
  ['supplier management', 'Customer Experience Management'],
  ['risk management', 'Customer Experience Management'],
  ['customer banana', 'Customer journey'],
  ['effort tracking', 'Customer Effort Score'],
  ['onboarding survey', 'Welcome journey'],
  ['conversion data', 'Online conversion rate'],
  ['satisfaction form', 'Customer Satisfaction Score'],
  ['recontact data', 'Repeat contact rate'],
  ['customer satisfaction survey', 'Customer Satisfaction Score'],
  ['customer satisfaction report', 'Customer Satisfaction Score'],
  ['online conversion strategy', 'Online conversion rate'],
  ['repeat contact data', 'Repeat contact rate'],
  ['self service data', 'Self-service rate'],
  ['successful customer survey', 'Successful customer journey'],
  ['average handling team', 'Average Handling Time'],
  ['customer experience management team', 'Customer Experience Management'],
  ['net promoter score survey', 'Net Promoter Score'],
];

const CASES = Object.entries(MATCHING_QUERIES).flatMap(([group, rows]) => rows.map(([query, expected]) => ({ group, query, expected })));

// Remembered answers on (REMEMBER_ANSWERS unset: the term index and the answer cache are enabled, as
// when change notices arrive) match in memory; off, every lookup is matched in the database.
const VARIANTS = DATABASE_KINDS.flatMap((kind) => [
  { kind, remember: 'false', matching: 'database' as const },
  { kind, remember: '', matching: 'memory' as const },
]);

describe.each(VARIANTS)('glossary lookup quality on $kind, matched in $matching (REMEMBER_ANSWERS=$remember)', ({ kind, remember, matching }) => {
  let database: TestDatabase;
  let orgId: string;
  let termIndexes: TermIndexes;
  const answers = new AnswerCache<Awaited<ReturnType<typeof rank>>>();
  const rankQuery = (query: string) =>
    answers.remember(query, async () => {
      const index = termIndexes.current(orgId);
      expect(Boolean(index)).toBe(matching === 'memory');
      return rank(database.db, orgId, prepare(query), index ? { index } : {});
    });

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    orgId = (await database.db.insertInto('organisations').values({ name: 'Quality', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    const report = await importGlossaryCsv(database.db, orgId, readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8'), { by: 'test', now: new Date('2026-03-12T10:00:00Z') });
    expect(report.problems).toEqual([]);
    termIndexes = new TermIndexes(database.db, createLogger('silent'));
    if (loadConfig({ REMEMBER_ANSWERS: remember }).REMEMBER_ANSWERS) {
      for (const kept of [answers, termIndexes]) kept.enable();
      await termIndexes.ready(orgId);
    }
  });
  afterAll(async () => {
    await database.drop();
  });

  it('has at least 150 matching queries and 20 that match nothing', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    expect(NON_MATCHING_QUERIES.length).toBeGreaterThanOrEqual(20);
  });

  it('ranks the intended term first for at least 95 % of the queries, and never answers confidently with a wrong one', async () => {
    const misses: string[] = [];
    const confidentlyWrong: string[] = [];
    let confident = 0;
    for (const c of CASES) {
      const { decision } = await rankQuery(c.query);
      const first = decision.kind === 'confident' ? decision.term : decision.kind === 'candidates' ? decision.candidates[0] : undefined;
      if (first?.name !== c.expected) misses.push(`${c.group}: “${c.query}” → ${first?.name ?? 'nothing'} (expected ${c.expected})`);
      if (decision.kind === 'confident') {
        confident++;
        if (decision.term.name !== c.expected) confidentlyWrong.push(`${c.group}: “${c.query}” → ${decision.term.name}`);
      }
    }
    const accuracy = (CASES.length - misses.length) / CASES.length;
    console.log(`[${kind}, ${matching}] lookup quality: top-1 ${(accuracy * 100).toFixed(1)} % of ${CASES.length}; confident ${confident}; misses: ${misses.join('; ') || 'none'}`);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(confidentlyWrong).toEqual([]);
  });

  it('answers nothing confidently for queries the glossary does not define', async () => {
    const confident: string[] = [];
    for (const query of NON_MATCHING_QUERIES) {
      const { decision } = await rankQuery(query);
      if (decision.kind === 'confident') confident.push(`“${query}” → ${decision.term.name}`);
    }
    expect(confident).toEqual([]);
  });

  it('offers a term that shares only some of the query\'s words as a candidate, never as the answer', async () => {
    const wrong: string[] = [];
    for (const [query, shares] of WORDS_IN_COMMON) {
      const { decision } = await rankQuery(query);
      if (decision.kind === 'confident') wrong.push(`“${query}” → answered ${decision.term.name}`);
      else if (!(decision.kind === 'candidates' && decision.candidates.some((c) => c.name === shares))) wrong.push(`“${query}” → ${shares} not offered`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers confidently when the query\'s words are some of the term\'s words and nothing else', async () => {
    const unsure: string[] = [];
    for (const [query, expected] of MATCHING_QUERIES.sharedWords!) {
      const { decision } = await rankQuery(query);
      if (decision.kind !== 'confident' || decision.term.name !== expected) unsure.push(`“${query}” → ${decision.kind === 'confident' ? decision.term.name : decision.kind}`);
    }
    expect(unsure).toEqual([]);
  });

  it('ranks deterministically: the same query gives the same order every time', async () => {
    const orders = await Promise.all(['customer', 'rate', 'score', 'journey'].map(async (q) => (await rankQuery(q)).ranked.map((r) => r.termId).join(',')));
    const again = await Promise.all(['customer', 'rate', 'score', 'journey'].map(async (q) => (await rankQuery(q)).ranked.map((r) => r.termId).join(',')));
    expect(again).toEqual(orders);
  });
});

describe.each(DATABASE_KINDS)('glossary lookups matched in memory and in %s', (kind) => {
  let database: TestDatabase;
  let orgId: string;
  let index: TermIndex;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    orgId = (await database.db.insertInto('organisations').values({ name: 'Both ways', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    await importGlossaryCsv(database.db, orgId, readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8'), { by: 'test', now: new Date('2026-03-12T10:00:00Z') });
    index = await TermIndex.load(database.db, orgId);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('gives the same answer, candidates and definitions either way, for every query of the quality table and a search', async () => {
    const shown = (r: Awaited<ReturnType<typeof rank>>) =>
      r.decision.kind === 'confident' ? `= ${r.decision.term.name}` : r.decision.kind === 'candidates' ? r.decision.candidates.map((c) => `${c.name}: ${c.summary}`).join(' | ') : 'none';
    const differ: string[] = [];
    for (const query of [...CASES.map((c) => c.query), ...NON_MATCHING_QUERIES, ...WORDS_IN_COMMON.map(([q]) => q)]) {
      const fromDatabase = shown(await rank(database.db, orgId, prepare(query)));
      const fromMemory = shown(await rank(database.db, orgId, prepare(query), { index }));
      if (fromDatabase !== fromMemory) differ.push(`“${query}”: ${fromDatabase} ≠ ${fromMemory}`);
    }
    expect(differ).toEqual([]);
    const search = async (options: { index?: TermIndex }) =>
      (await rank(database.db, orgId, prepare('customer'), { alwaysFuzzy: true, ...options })).ranked.slice(0, 10).map((r) => `${r.name}: ${r.summary}`);
    expect(await search({ index })).toEqual(await search({}));
  });

  it('gives the same candidates, definitions and miss with the cards in memory, most of them without the database', async () => {
    const termCards = new TermCards(database.db);
    for (const kept of [termCards.store, termCards.missContexts]) kept.enable();
    expect(await termCards.store.loaded(orgId)).toBe(true);
    // Any statement fails: what is answered with this was answered from memory alone.
    const noDatabase = new Proxy({}, { get: () => { throw new Error('read the database'); } }) as Db;
    const whole = (r: Awaited<ReturnType<typeof rank>>) => JSON.stringify({ decision: r.decision, ranked: r.ranked.map((x) => [x.termId, x.score, x.summary]), miss: r.miss });
    const differ: string[] = [];
    const fromMemoryAlone: string[] = [];
    let asked = 0;
    for (const query of [...CASES.map((c) => c.query), ...NON_MATCHING_QUERIES, ...WORDS_IN_COMMON.map(([q]) => q)]) {
      for (const alwaysFuzzy of [false, true]) {
        asked++;
        const fromDatabase = whole(await rank(database.db, orgId, prepare(query), { index, alwaysFuzzy }));
        let withCards: string;
        try {
          withCards = whole(await rank(noDatabase, orgId, prepare(query), { index, alwaysFuzzy, missContexts: termCards }));
          fromMemoryAlone.push(query);
        } catch {
          withCards = whole(await rank(database.db, orgId, prepare(query), { index, alwaysFuzzy, missContexts: termCards }));
        }
        if (fromDatabase !== withCards) differ.push(`“${query}”${alwaysFuzzy ? ' (search)' : ''}: ${fromDatabase} ≠ ${withCards}`);
      }
    }
    expect(differ).toEqual([]);
    // Candidates lists ("did you mean …") among them, with their definitions.
    expect(fromMemoryAlone).toEqual(expect.arrayContaining(WORDS_IN_COMMON.map(([q]) => q).slice(0, 3)));
    console.log(`[${kind}] with the cards in memory, ${fromMemoryAlone.length} of ${asked} lookups and searches needed no database`);
  });

  it('offers the same terms either way where a misspelt word has many near words and many terms share words', async () => {
    // Fifty short names of the misspelt word's first letter (as acronym-rich glossaries have) that are
    // not close to it, a term written with the word and one with another correction of it, one with
    // two corrections of it, and a dozen short names sharing the other two words: which of them the
    // shared-word pass keeps (12) decides what is offered.
    const fillers = [...'bcdefghijklmnopqrstuvwxyz'].flatMap((c) => [`Fkz${c}`, `Fky${c}`]);
    const sharing = ['bab', 'bac', 'bad', 'baf', 'bag', 'bah', 'baj', 'bak', 'bal', 'bam', 'ban', 'bap'].map((w) => `Dohado lodomi ${w}`);
    const names = [...fillers, 'Dohado fekapa lodomi', 'Dohado fekaka lodomi', 'Dohado fekapa fekaka', ...sharing];
    const csv = ['term,aliases,definition,notes,steward,status', ...names.map((name) => `${name},,The ${name.toLowerCase()} of a journey.,,,approved`)].join('\n');
    const other = (await database.db.insertInto('organisations').values({ name: 'Near words', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    const report = await importGlossaryCsv(database.db, other, `${csv}\n`, { by: 'test', now: new Date('2026-03-12T10:00:00Z') });
    expect(report.problems).toEqual([]);
    const otherIndex = await TermIndex.load(database.db, other);
    const offered = (r: Awaited<ReturnType<typeof rank>>) => [r.decision.kind, ...r.ranked.map((x) => `${x.name} ${x.score.toFixed(3)}`)];
    for (const query of ['dohado fkapa lodomi', 'dohado fekapa', 'fkapa lodomi bab']) {
      const fromDatabase = offered(await rank(database.db, other, prepare(query)));
      expect(offered(await rank(database.db, other, prepare(query), { index: otherIndex })), query).toEqual(fromDatabase);
    }
    // Both corrections of “fkapa” are close (0.83, 0.67): neither term is a clear answer.
    expect((await rank(database.db, other, prepare('dohado fkapa lodomi'))).decision.kind).toBe('candidates');
  });

  it('says what a miss shows either way: the time zone and a pending proposal of the name', async () => {
    const fromMemory = await rank(database.db, orgId, prepare('kubernetes'), { index });
    const fromDatabase = await rank(database.db, orgId, prepare('kubernetes'));
    expect(fromMemory.miss).toEqual(fromDatabase.miss);
    expect(fromMemory.miss?.timeZone).toBe('Europe/Amsterdam');
  });

  it('knows from the index alone when the last pass finds nothing, and is never wrong about it', async () => {
    const queries = [...CASES.map((c) => c.query), ...NON_MATCHING_QUERIES, ...WORDS_IN_COMMON.map(([q]) => q), 'kubernetes', 'nps', 'cs', 'npx', 'recommend', 'netpromoter', 'customer 2026'];
    const sure: string[] = [];
    const wrong: string[] = [];
    for (const query of queries) {
      if (!index.lastPassFindsNothing(prepare(query))) continue;
      sure.push(query);
      const details = await lookupDetails(database.db, orgId, prepare(query), { lastPass: true, summariesOf: [] });
      if (details.similar.length) wrong.push(`“${query}”: ${details.similar.map((c) => c.name).join(', ')}`);
    }
    expect(wrong).toEqual([]);
    expect(sure).toContain('kubernetes');
    // A word of a definition ("recommend"), a name's beginning written together, a short alias's shape: the database is asked.
    expect(sure).not.toEqual(expect.arrayContaining(['recommend']));
    expect(sure).not.toEqual(expect.arrayContaining(['netpromoter']));
    expect(sure).not.toEqual(expect.arrayContaining(['npx']));
    expect(sure.length).toBeGreaterThan(NON_MATCHING_QUERIES.length / 2);
  });

  it('answers a miss from memory with what it shows remembered, as the database would, and forgets it on a change', async () => {
    const termCards = new TermCards(database.db);
    termCards.missContexts.enable();
    const withContexts = (query: string) => rank(database.db, orgId, prepare(query), { index, missContexts: termCards });
    const shown = (r: Awaited<ReturnType<typeof rank>>) => [r.decision.kind === 'confident' ? `= ${r.decision.term.name}` : r.decision.kind === 'candidates' ? r.decision.candidates.map((c) => `${c.name}: ${c.summary}`).join(' | ') : 'none', r.decision.kind === 'confident' ? 'no miss' : r.miss];
    const differ: string[] = [];
    for (const query of [...CASES.map((c) => c.query), ...NON_MATCHING_QUERIES, ...WORDS_IN_COMMON.map(([q]) => q)]) {
      const fromDatabase = shown(await rank(database.db, orgId, prepare(query)));
      const fromMemory = shown(await withContexts(query));
      if (JSON.stringify(fromDatabase) !== JSON.stringify(fromMemory)) differ.push(`“${query}”: ${JSON.stringify(fromDatabase)} ≠ ${JSON.stringify(fromMemory)}`);
    }
    expect(differ).toEqual([]);
    expect(termCards.missContexts.size).toBe(1);

    // Someone proposes the name: after the change notice (here: forget), the miss says so, as the database does.
    const person = await database.db.insertInto('people').values({ org_id: orgId, display_name: 'Sam Proposer', email: 'sam@example.com' }).returning('id').executeTakeFirstOrThrow();
    await database.db
      .insertInto('glossary_proposals')
      .values({ org_id: orgId, kind: 'new', name: 'Kubernetes', name_norm: 'kubernetes', definition: 'Where the services run.', proposed_by_person_id: person.id, aliases_add: JSON.stringify([]), aliases_remove: JSON.stringify([]), notice_outbox_ids: JSON.stringify([]), created_at: new Date('2026-03-12T10:00:00Z') })
      .execute();
    termCards.missContexts.changed('glossary_proposals');
    const fromMemory = await withContexts('kubernetes');
    expect(fromMemory.miss).toEqual((await rank(database.db, orgId, prepare('kubernetes'))).miss);
    expect(fromMemory.miss?.pending).toEqual({ name: 'Kubernetes', proposedBy: 'Sam Proposer', createdAt: new Date('2026-03-12T10:00:00Z') });
  });
});
