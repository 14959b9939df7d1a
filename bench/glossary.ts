// bench/glossary: glossary lookups at scale. Generates 100,000 terms with 200,000 aliases, imports
// them as one CSV into real Postgres through the importer (timed: target < 30 s), then sends signed
// `/glossary <query>` slash commands (exact hits, aliases, typos, misses) at concurrency 50 to Steward
// and, alternating in rounds, signed commands to the bare Bolt baseline of bench/overhead. Prints
// req/s and p50/p95/p99 for both and the ratios (targets: throughput ≥ 0.5 × bare Bolt, p99 ≤ 2 ×).
// Steward answers a question it answered before from memory and matches new ones against its term
// index (built in the background after the import); --queries sets how many distinct queries are
// sent in turn (200000: nearly every lookup is new).
// Run: npx tsx bench/glossary.ts [--terms 100000] [--seconds 20] [--rounds 2] [--concurrency 50]
import { parseArgs } from 'node:util';
import { importGlossaryCsv } from '../src/glossary/csv.js';
import * as orgsRepo from '../src/orgs/repo.js';
import { startBareBoltProcess } from './lib/bare-bolt.js';
import { generateQueries, generateTerms, toCsv } from './lib/glossary-data.js';
import { startFakeSlackApi } from './lib/fake-slack-api.js';
import type { ServerProcess } from './lib/server-process.js';
import { BENCH_SIGNING_SECRET, runSlackLoad, slackSignature, slashCommandForm, type LoadRun } from './lib/slack-load.js';
import { combine, formatFigures, summarise } from './lib/stats.js';
import { startStewardProcess } from './lib/steward-process.js';

const { values } = parseArgs({
  options: {
    terms: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    // Distinct queries, sent in turn: with fewer, more lookups repeat and are answered from memory.
    queries: { type: 'string', default: '5000' },
  },
});
const TERMS = Number(values.terms);
const SECONDS = Number(values.seconds);
const ROUNDS = Math.max(1, Number(values.rounds));
const CONCURRENCY = Number(values.concurrency);
const WARMUP_MS = Number(values.warmup) * 1000;
const QUERIES = Number(values.queries);

async function signedCommand(target: ServerProcess, text: string, userId = 'UBENCH0000'): Promise<string> {
  const body = slashCommandForm({ command: '/glossary', text, userId });
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${target.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(body, timestamp, BENCH_SIGNING_SECRET) },
    body,
  });
  if (response.status !== 200) throw new Error(`HTTP ${response.status} for /glossary ${text}`);
  return response.text();
}

/** Where Steward's answers came from so far (its /metrics): remembered, or looked up in the database. */
async function answerSources(target: ServerProcess): Promise<{ cache: number; database: number }> {
  const metrics = await (await fetch(`${target.url}/metrics`)).text();
  const read = (source: string) => Number(new RegExp(`steward_answers_total\\{capability="glossary",source="${source}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
  return { cache: read('cache'), database: read('database') };
}

async function main(): Promise<void> {
  console.log(`bench/glossary: ${TERMS.toLocaleString('en')} generated terms × 2 aliases in Postgres; signed /glossary lookups at concurrency ${CONCURRENCY}, ${SECONDS} s per target in ${ROUNDS} alternating rounds (bare Bolt first)`);
  const fake = await startFakeSlackApi();
  const bolt = await startBareBoltProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  const steward = await startStewardProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  try {
    const db = steward.database.db;
    const generateStarted = performance.now();
    const terms = generateTerms(TERMS);
    const csv = toCsv(terms);
    console.log(`generated ${terms.length.toLocaleString('en')} terms, ${(terms.length * 2).toLocaleString('en')} aliases (${(csv.length / 1e6).toFixed(1)} MB of CSV) in ${((performance.now() - generateStarted) / 1000).toFixed(1)} s`);

    const orgId = (await orgsRepo.createOrganisation(db, 'Bench organisation')).id;
    const importStarted = performance.now();
    const report = await importGlossaryCsv(db, orgId, csv, { by: 'bench', now: new Date() });
    const importSeconds = (performance.now() - importStarted) / 1000;
    if (report.problems.length) throw new Error(`the generated CSV did not import: ${JSON.stringify(report.problems.slice(0, 5))}`);
    console.log(`import of ${report.rows.toLocaleString('en')} rows: ${importSeconds.toFixed(1)} s (target < 30 s: ${importSeconds < 30 ? 'ok' : 'MISSED'}); ${report.created.toLocaleString('en')} terms created`);

    const queries = generateQueries(terms, QUERIES);
    // Sanity: a hit answers with the term's card, a miss with how to propose it.
    const hit = queries.find((q) => q.kind === 'hit');
    const miss = queries.find((q) => q.kind === 'miss');
    if (hit && !(await signedCommand(steward, hit.text)).includes(hit.expect ?? '')) throw new Error(`Steward did not answer /glossary ${hit.text} with the term`);
    if (miss && !(await signedCommand(steward, miss.text)).includes('not in the glossary')) throw new Error(`Steward did not answer /glossary ${miss.text} with a miss`);

    let next = 0;
    const command = (sender: number) => {
      const query = queries[next++ % queries.length]!;
      return { command: '/glossary', text: query.text, userId: `UBENCH${String(sender).padStart(4, '0')}` };
    };
    const load = (target: ServerProcess, durationMs: number) => runSlackLoad({ url: target.url, signingSecret: BENCH_SIGNING_SECRET, concurrency: CONCURRENCY, durationMs, command });

    // Warm-up: JIT, pools, and Steward meets each benchmark user once.
    await load(bolt, WARMUP_MS);
    await load(steward, WARMUP_MS);

    const roundMs = (SECONDS * 1000) / ROUNDS;
    const runs: Record<'bolt' | 'steward', LoadRun[]> = { bolt: [], steward: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, target, label] of [['bolt', bolt, 'bare Bolt'], ['steward', steward, 'Steward']] as const) {
        const cpuBefore = target.cpuMs();
        const run = await load(target, roundMs);
        runs[name].push(run);
        const cpu = (target.cpuMs() - cpuBefore) / Math.max(1, run.latenciesMs.length);
        console.log(`${formatFigures(`r${round} ${label}`, summarise(run.latenciesMs, run.errors, run.durationMs))}   server CPU ${cpu.toFixed(2)} ms/req`);
        if (run.errorSamples.length) console.log(`    errors, e.g.: ${run.errorSamples.join('; ')}`);
      }
    }

    const answers = await answerSources(steward);
    const b = combine(runs.bolt);
    const s = combine(runs.steward);
    const throughput = s.rps / b.rps;
    const p99 = s.p99 / b.p99;
    const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    const outcomes = await db
      .selectFrom('glossary_lookups')
      .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .groupBy('outcome')
      .execute();
    console.log('');
    console.log(formatFigures('bare Bolt', b));
    console.log(formatFigures('Steward', s));
    console.log('');
    console.log(`throughput Steward / bare Bolt: ${throughput.toFixed(2)}  (target ≥ 0.50: ${mark(throughput >= 0.5)})`);
    console.log(`p99 Steward / bare Bolt:        ${p99.toFixed(2)}  (target ≤ 2.00: ${mark(p99 <= 2)})`);
    console.log(
      `answers from Steward's memory: ${answers.cache} of ${answers.cache + answers.database} lookups (${((100 * answers.cache) / Math.max(1, answers.cache + answers.database)).toFixed(0)} %; ${QUERIES.toLocaleString('en')} distinct queries sent in turn)`,
    );
    console.log(`lookups logged: ${outcomes.map((o) => `${o.outcome} ${Number(o.n)}`).join(', ')}`);
    console.log(`Steward resident memory after the run: ${steward.memory().rssMb.toFixed(0)} MB (peak ${steward.memory().peakRssMb.toFixed(0)} MB; the term index of ${TERMS.toLocaleString('en')} terms included)`);
    console.log(`import of ${TERMS.toLocaleString('en')} rows: ${importSeconds.toFixed(1)} s (target < 30 s: ${mark(importSeconds < 30)})`);
  } finally {
    await steward.stop();
    await bolt.stop();
    await fake.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
