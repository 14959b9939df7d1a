// What bench/glossary and bench/glossary-mix share: generate and import the glossary, send signed
// `/glossary <query>` slash commands at concurrency to Steward and, alternating in rounds, to the bare
// Bolt baseline; print req/s, latency percentiles (also per kind of query), ratios against the targets (throughput ≥ 0.5 ×
// bare Bolt, p99 ≤ 2 ×), where answers came from, resident memory, and (when asked) whether a sample
// of the answers is right.
import { parseArgs } from 'node:util';
import * as orgsRepo from '../../src/orgs/repo.js';
import { startBareBoltProcess } from './bare-bolt.js';
import { generateTerms, type BenchQuery, type GeneratedTerm } from './glossary-data.js';
import { GLOSSARY_LOAD_OPTIONS, glossaryCommand, glossaryLoadSettings, importBenchGlossary } from './glossary-seed.js';
import { startFakeSlackApi } from './fake-slack-api.js';
import type { ServerProcess } from './server-process.js';
import { alternatingRounds, BENCH_SIGNING_SECRET, runSlackLoad, slackSignature, slashCommandForm } from './slack-load.js';
import { combine, formatFigures, percentile } from './stats.js';
import { startStewardProcess } from './steward-process.js';

export interface GlossaryBench {
  /** The first line printed. */
  title: (figures: { terms: number; concurrency: number; seconds: number; rounds: number }) => string;
  /** The queries sent in turn, each with what it should find (a term's name, or none: a miss). */
  queries: (terms: GeneratedTerm[], count: number) => BenchQuery[];
  /** Distinct queries of the stream looked up once more after the load, and their answers checked. */
  checkAnswers?: number;
  /** Steward's resident memory must stay under this after the run (MB). */
  rssTargetMb?: number;
  /** Distinct queries generated unless --queries says otherwise. */
  defaultQueries?: number;
}

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

export async function runGlossaryBench(bench: GlossaryBench): Promise<void> {
  // Distinct queries, sent in turn: with fewer, more lookups repeat and are answered from memory.
  const options = { ...GLOSSARY_LOAD_OPTIONS, queries: { type: 'string', default: String(bench.defaultQueries ?? 5_000) } } as const;
  const { values } = parseArgs({ options });
  const { terms: TERMS, seconds: SECONDS, rounds: ROUNDS, concurrency: CONCURRENCY, warmupMs: WARMUP_MS } = glossaryLoadSettings(values);
  const QUERIES = Number(values.queries);

  console.log(bench.title({ terms: TERMS, concurrency: CONCURRENCY, seconds: SECONDS, rounds: ROUNDS }));
  const fake = await startFakeSlackApi();
  const bolt = await startBareBoltProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  const steward = await startStewardProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  try {
    const db = steward.database.db;
    const generateStarted = performance.now();
    const terms = generateTerms(TERMS);
    console.log(`generated ${terms.length.toLocaleString('en')} terms, ${(terms.length * 2).toLocaleString('en')} aliases in ${((performance.now() - generateStarted) / 1000).toFixed(1)} s`);

    const orgId = (await orgsRepo.createOrganisation(db, 'Bench organisation')).id;
    const report = await importBenchGlossary(db, orgId, terms);
    const importSeconds = report.seconds;
    console.log(`import of ${report.rows.toLocaleString('en')} rows (${(report.csvBytes / 1e6).toFixed(1)} MB of CSV): ${importSeconds.toFixed(1)} s (target < 30 s: ${importSeconds < 30 ? 'ok' : 'MISSED'}); ${report.created.toLocaleString('en')} terms created`);

    const queries = bench.queries(terms, QUERIES);
    // Sanity: a hit answers with the term's card, a miss with how to propose it.
    const hit = queries.find((q) => q.expect !== undefined && q.kind !== 'typo');
    const miss = queries.find((q) => q.expect === undefined);
    if (hit && !(await signedCommand(steward, hit.text)).includes(hit.expect ?? '')) throw new Error(`Steward did not answer /glossary ${hit.text} with the term`);
    if (miss && !(await signedCommand(steward, miss.text)).includes('not in the glossary')) throw new Error(`Steward did not answer /glossary ${miss.text} with a miss`);

    let next = 0;
    // The kind of query each sender sent last (popular, typo, …): its answer's time is counted under it.
    const kindOf: string[] = [];
    const command = (sender: number) => {
      const query = queries[next++ % queries.length]!;
      kindOf[sender] = query.kind;
      return glossaryCommand(query.text, sender);
    };
    const byKind = { bolt: new Map<string, number[]>(), steward: new Map<string, number[]>() };
    const load = (target: ServerProcess, durationMs: number, times?: Map<string, number[]>) =>
      runSlackLoad({
        url: target.url,
        signingSecret: BENCH_SIGNING_SECRET,
        concurrency: CONCURRENCY,
        durationMs,
        command,
        ...(times ? { answered: (sender: number, ms: number) => addTime(times, kindOf[sender]!, ms) } : {}),
      });

    // Warm-up: JIT, pools, and Steward meets each benchmark user once.
    await load(bolt, WARMUP_MS);
    await load(steward, WARMUP_MS);

    const runs = await alternatingRounds(ROUNDS, (SECONDS * 1000) / ROUNDS, [
      { key: 'bolt', label: 'bare Bolt', cpuMs: () => bolt.cpuMs(), load: (ms) => load(bolt, ms, byKind.bolt) },
      { key: 'steward', label: 'Steward', cpuMs: () => steward.cpuMs(), load: (ms) => load(steward, ms, byKind.steward) },
    ]);

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
    console.log(`latency by kind of query, p50 / p99 (Steward; bare Bolt): ${latencyByKind(byKind.steward, byKind.bolt)}`);
    console.log(
      `answers from Steward's memory: ${answers.cache} of ${answers.cache + answers.database} lookups (${((100 * answers.cache) / Math.max(1, answers.cache + answers.database)).toFixed(0)} %; ${QUERIES.toLocaleString('en')} distinct queries sent in turn)`,
    );
    console.log(`lookups logged: ${outcomes.map((o) => `${o.outcome} ${Number(o.n)}`).join(', ')}`);
    const rss = steward.memory();
    const rssTarget = bench.rssTargetMb ? `; target < ${bench.rssTargetMb} MB: ${mark(rss.rssMb < bench.rssTargetMb)}` : '';
    console.log(`Steward resident memory after the run: ${rss.rssMb.toFixed(0)} MB (peak ${rss.peakRssMb.toFixed(0)} MB; the term index of ${TERMS.toLocaleString('en')} terms included${rssTarget})`);
    if (bench.checkAnswers) await checkAnswers(steward, queries, bench.checkAnswers);
    console.log(`import of ${TERMS.toLocaleString('en')} rows: ${importSeconds.toFixed(1)} s (target < 30 s: ${mark(importSeconds < 30)})`);
  } finally {
    await steward.stop();
    await bolt.stop();
    await fake.close();
  }
}

function addTime(times: Map<string, number[]>, kind: string, ms: number): void {
  const list = times.get(kind);
  if (list) list.push(ms);
  else times.set(kind, [ms]);
}

/** Per kind of query, Steward's p50 / p99 and bare Bolt's: which lookups make the tail. */
function latencyByKind(steward: Map<string, number[]>, bolt: Map<string, number[]>): string {
  const figures = (times: number[] | undefined) => {
    const sorted = [...(times ?? [])].sort((a, b) => a - b);
    return `${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 99).toFixed(1)} ms`;
  };
  return [...steward.keys()].sort().map((kind) => `${kind} ${figures(steward.get(kind))} (${figures(bolt.get(kind))})`).join(', ');
}

/**
 * Looks up `count` distinct queries of the stream once more, a few at a time, and reads each answer:
 * the expected term's card or the miss card for a miss (right), a list offering the term (offered),
 * a miss or a list without it (missed), another term's card or a card for a miss (wrong). A confident
 * wrong answer is the one that costs trust.
 */
async function checkAnswers(target: ServerProcess, queries: BenchQuery[], count: number): Promise<void> {
  const distinct = [...new Map(queries.map((q) => [q.text, q])).values()].slice(0, count);
  const tally = new Map<string, number>();
  const wrong: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < distinct.length; i = next++) {
      const q = distinct[i]!;
      const answer = await signedCommand(target, q.text);
      const verdict = judge(answer, q);
      tally.set(`${q.kind} ${verdict}`, (tally.get(`${q.kind} ${verdict}`) ?? 0) + 1);
      if (verdict === 'wrong' && wrong.length < 3) wrong.push(`“${q.text}” (expected ${q.expect ?? 'a miss'})`);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  const rows = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key} ${n}`);
  const tallied = (verdict: string) => [...tally].filter(([key]) => key.endsWith(` ${verdict}`)).reduce((sum, [, n]) => sum + n, 0);
  console.log(`answers checked: ${distinct.length} distinct queries: ${rows.join(', ')}`);
  console.log(`right ${tallied('right')}, offered ${tallied('offered')}, missed ${tallied('missed')}, confidently wrong ${tallied('wrong')}${wrong.length ? ` (e.g. ${wrong.join('; ')})` : ''}`);
}

function judge(answer: string, q: BenchQuery): 'right' | 'offered' | 'missed' | 'wrong' {
  const offered = answer.includes('No exact match');
  const missed = answer.includes('not in the glossary');
  if (q.expect === undefined) return missed ? 'right' : offered ? 'offered' : 'wrong';
  if (offered) return answer.includes(q.expect) ? 'offered' : 'missed';
  if (missed) return 'missed';
  // A card, then: the expected term's, or a confident wrong answer.
  return answer.includes(q.expect) ? 'right' : 'wrong';
}
