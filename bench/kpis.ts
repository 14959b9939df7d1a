// bench/kpis: KPI ingest and snapshot figures against a real Steward process (compiled, Postgres on a
// fresh schema, Redis, Slack Web API at a local fake):
//   1. ingest N values (default 1,000,000) through POST /api/v1/kpi-values in batches of 1,000 from a
//      few concurrent clients; prints values/s (target ≥ 20,000/s);
//   2. `steward import kpi-values` of a 200,000-row CSV, the CLI as a person runs it (target < 20 s);
//   3. `/kpi <journey>` snapshots at concurrency 20, each to a journey whose chart is not rendered yet
//      (cold chart cache), then again to the same journeys (warm: the charts are drawn and, nothing
//      having changed in between, the snapshots are remembered too), beside a bare Bolt app that
//      only acks, in the same run (target: warm p99 ≤ 3 × the baseline's p99);
//   4. chart rendering alone, one chart at a time (target ≤ 300 ms per chart).
// The machines are shared: note the load average printed with the figures.
// Run: npx tsx bench/kpis.ts [--values 1000000] [--csv-rows 200000] [--seconds 8] [--clients 4]
//      [--parts ingest,csv,snapshot,render]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { svgToPng } from '../src/charts/png.js';
import { chartSvg, type ChartSpec } from '../src/charts/svg.js';
import type { Db } from '../src/db/database.js';
import { importKpiDefinitions, importKpiValues } from '../src/kpis/import.js';
import { createToken } from '../src/tokens/service.js';
import { startBareBoltProcess } from './lib/bare-bolt.js';
import { startFakeSlackApi } from './lib/fake-slack-api.js';
import type { ServerProcess } from './lib/server-process.js';
import { BENCH_SIGNING_SECRET, runSlackLoad, type SlashCommand } from './lib/slack-load.js';
import { formatFigures, percentile, summarise } from './lib/stats.js';
import { startStewardProcess, type StewardProcess } from './lib/steward-process.js';

const { values: args } = parseArgs({
  options: {
    values: { type: 'string', default: '1000000' },
    'csv-rows': { type: 'string', default: '200000' },
    seconds: { type: 'string', default: '8' },
    clients: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '20' },
    parts: { type: 'string', default: 'ingest,csv,snapshot,render' },
  },
});
const VALUES = Number(args.values);
const CSV_ROWS = Number(args['csv-rows']);
const SECONDS = Number(args.seconds);
const CLIENTS = Number(args.clients);
const CONCURRENCY = Number(args.concurrency);
const PARTS = new Set(args.parts.split(','));
const BATCH = 1_000;
const KPI_COUNT = 50;
const SEGMENTS = 20;
const SNAPSHOT_JOURNEYS = 3_000;
/** The last journeys are for warm-up only, so the measured runs start on unrendered charts. */
const WARMUP_JOURNEYS = 200;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
const load = () => `load average ${loadavg()[0]?.toFixed(1)} on ${2} cores`;

/** The Monday `weeksBack` weeks before 16 November 2026. */
const monday = (weeksBack: number) => new Date(Date.UTC(2026, 10, 16) - weeksBack * 7 * 86_400_000).toISOString().slice(0, 10);

interface Bench {
  steward: StewardProcess;
  bolt: ServerProcess;
  db: Db;
  orgId: string;
  token: string;
  tmp: string;
}

function postJson(agent: Agent, url: URL, body: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

function runCli(cliArgs: string[], env: Record<string, string>): Promise<{ code: number; output: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}src/cli.ts`, ...cliArgs], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => resolve({ code: code ?? 1, output: output.trim(), ms: performance.now() - started }));
  });
}

/** One organisation (chat users join it), journeys with two KPIs and 13 weeks of values each, KPIs to ingest into. */
async function seed(db: Db): Promise<{ orgId: string; token: string }> {
  const orgId = (await db.insertInto('organisations').values({ name: 'Bench', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
  const journeys = Array.from({ length: SNAPSHOT_JOURNEYS }, (_, i) => ({ org_id: orgId, key: `bench-j${i}`, name: `Bench journey ${i}`, level: 'journey' as const }));
  for (let i = 0; i < journeys.length; i += 1000) await db.insertInto('journeys').values(journeys.slice(i, i + 1000)).execute();
  await db.insertInto('journeys').values({ org_id: orgId, key: 'ingest', name: 'Ingest', level: 'journey' }).execute();
  const definitions = [
    'key,journey,name,unit,direction,target,warning,breach,cadence,glossary_term',
    ...Array.from({ length: KPI_COUNT }, (_, k) => `ingest-${k},ingest,Ingest KPI ${k},%,higher,80,70,10,week,`),
    'csv-a,ingest,CSV KPI A,%,higher,80,70,60,week,',
    'csv-b,ingest,CSV KPI B,%,lower,10,20,30,week,',
    ...journeys.flatMap((j, i) => [
      `snap-${i}-nps,${j.key},NPS ${i},points,higher,40,35,30,week,Net Promoter Score`,
      `snap-${i}-avoid,${j.key},Avoidable contacts ${i},per 100,lower,15,20,25,week,Avoidable contact`,
    ]),
  ];
  const defined = await importKpiDefinitions(db, orgId, definitions.join('\n'));
  if (!defined.ok) throw new Error(JSON.stringify(defined.errors.slice(0, 3)));
  const values = ['kpi,period_start,segment,value'];
  for (let i = 0; i < SNAPSHOT_JOURNEYS; i++) {
    for (let w = 12; w >= 0; w--) values.push(`snap-${i}-nps,${monday(w)},all,${36 + ((i + w) % 7) * 0.5}`, `snap-${i}-avoid,${monday(w)},all,${14 + ((i * 3 + w) % 11)}`);
  }
  const stored = await importKpiValues(db, orgId, values.join('\n'), { source: 'bench', now: new Date(), alerts: false });
  if (!stored.ok) throw new Error(JSON.stringify(stored.errors.slice(0, 3)));
  const { token } = await createToken(db, { orgId, name: 'bench', requestsPerMinute: 1_000_000 });
  return { orgId, token };
}

async function ingestPart(b: Bench): Promise<void> {
  const batches = Math.ceil(VALUES / BATCH);
  if (VALUES / (KPI_COUNT * SEGMENTS) > 3000) throw new Error('too many values for the weeks the benchmark spreads them over');
  // Batch n: one KPI, one segment, 1,000 consecutive weeks; consecutive batches go to different KPIs.
  const bodyOf = (n: number) => {
    const series = Math.floor(n / KPI_COUNT);
    const firstWeek = Math.floor(series / SEGMENTS) * BATCH;
    const values = Array.from({ length: Math.min(BATCH, VALUES - n * BATCH) }, (_, i) => ({ kpi: `ingest-${n % KPI_COUNT}`, segment: `s${series % SEGMENTS}`, period_start: monday(firstWeek + i), value: 50 + ((n + i) % 40) }));
    return JSON.stringify({ values });
  };
  const count = async () => Number((await b.db.selectFrom('kpi_values').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const before = await count();
  const url = new URL('/api/v1/kpi-values', b.steward.url);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  let next = 0;
  let failures = 0;
  const batchMs: number[] = [];
  const cpuBefore = b.steward.cpuMs();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < batches) {
        const n = next++;
        const body = bodyOf(n);
        const sent = performance.now();
        const response = await postJson(agent, url, body, b.token);
        batchMs.push(performance.now() - sent);
        if (response.status !== 200 && ++failures <= 3) console.log(`  batch ${n}: HTTP ${response.status} ${response.text.slice(0, 200)}`);
      }
    }),
  );
  const ingestMs = performance.now() - started;
  agent.destroy();
  const stored = (await count()) - before;
  const rate = (stored / ingestMs) * 1000;
  batchMs.sort((x, y) => x - y);
  console.log('');
  console.log(`1. API ingest: ${stored} values stored in ${(ingestMs / 1000).toFixed(1)} s = ${rate.toFixed(0)} values/s (target ≥ 20000: ${mark(rate >= 20_000)}); ${load()}`);
  console.log(`   ${batches} batches, ${failures} failed; per batch p50 ${percentile(batchMs, 50).toFixed(0)} ms, p99 ${percentile(batchMs, 99).toFixed(0)} ms; Steward CPU ${((b.steward.cpuMs() - cpuBefore) / batches).toFixed(1)} ms per batch (Postgres not counted)`);
}

async function csvPart(b: Bench): Promise<void> {
  const csvPath = join(b.tmp, 'kpi-values.csv');
  const rows = ['kpi,period_start,segment,value'];
  for (let i = 0; i < CSV_ROWS; i++) rows.push(`csv-${i % 2 ? 'b' : 'a'},${monday(Math.floor(i / 200) % 2000)},seg${Math.floor(i / 2) % 100},${(i % 97) / 2}`);
  writeFileSync(csvPath, `${rows.join('\n')}\n`);
  const cli = await runCli(['import', 'kpi-values', csvPath, '--org', b.orgId], { DATABASE_URL: b.steward.database.url ?? '', LOG_LEVEL: 'error' });
  console.log('');
  console.log(`2. steward import kpi-values, ${CSV_ROWS} rows: ${(cli.ms / 1000).toFixed(1)} s including process start (target < 20 s: ${mark(cli.code === 0 && cli.ms < 20_000)}); ${load()}`);
  console.log(`   ${cli.output.split('\n').slice(-2).join(' / ')}`);
}

async function snapshotPart(b: Bench): Promise<void> {
  const measured = SNAPSHOT_JOURNEYS - WARMUP_JOURNEYS;
  const user = (sender: number) => `UKPI${String(sender).padStart(4, '0')}`;
  const snapshot = (journey: number, sender: number): SlashCommand => ({ command: '/kpi', text: `bench-j${journey}`, userId: user(sender) });
  const run = (target: ServerProcess, command: (sender: number) => SlashCommand, durationMs = SECONDS * 1000) =>
    runSlackLoad({ url: target.url, signingSecret: BENCH_SIGNING_SECRET, concurrency: CONCURRENCY, durationMs, command });
  // Warm-up on journeys the measured runs do not use: JIT, pools, and each benchmark user is created once.
  let warmup = 0;
  await run(b.steward, (s) => snapshot(measured + (warmup++ % WARMUP_JOURNEYS), s), 2_000);
  await run(b.bolt, (s) => snapshot(0, s), 2_000);
  const bolt = await run(b.bolt, (s) => snapshot(s, s));
  let coldNext = 0;
  const cold = await run(b.steward, (s) => snapshot(coldNext++ % measured, s));
  const rendered = Math.min(coldNext, measured);
  let warmNext = 0;
  const warm = await run(b.steward, (s) => snapshot(warmNext++ % rendered, s));
  const boltFigures = summarise(bolt.latenciesMs, bolt.errors, bolt.durationMs);
  const coldFigures = summarise(cold.latenciesMs, cold.errors, cold.durationMs);
  const warmFigures = summarise(warm.latenciesMs, warm.errors, warm.durationMs);
  console.log('');
  console.log(`3. /kpi <journey> (2 KPIs, chart of 2 panels) at concurrency ${CONCURRENCY}; ${load()}:`);
  console.log(`   ${formatFigures('bare Bolt', boltFigures)}`);
  console.log(`   ${formatFigures('Steward cold', coldFigures)}  ${coldNext > measured ? 'WARNING: ran out of unrendered journeys, some were warm' : `(${coldNext} distinct journeys, each chart rendered on first ask)`}`);
  console.log(`   ${formatFigures('Steward warm', warmFigures)}`);
  for (const [label, r] of [['cold', cold], ['warm', warm]] as const) if (r.errorSamples.length) console.log(`   ${label} errors, e.g.: ${r.errorSamples.join('; ')}`);
  const ratio = warmFigures.p99 / boltFigures.p99;
  console.log(`   warm p99 / bare Bolt p99: ${ratio.toFixed(2)} (target ≤ 3: ${mark(ratio <= 3)}); cold p99 / bare Bolt p99: ${(coldFigures.p99 / boltFigures.p99).toFixed(2)}`);
}

async function renderPart(): Promise<void> {
  const spec = (i: number): ChartSpec => ({
    panels: [0, 1].map((p) => ({
      title: `KPI ${i}.${p}`,
      unit: '%',
      direction: p ? ('lower' as const) : ('higher' as const),
      target: 40,
      warning: p ? 45 : 35,
      breach: p ? 50 : 30,
      points: Array.from({ length: 12 }, (_, w) => ({ label: monday(w), value: 30 + ((i * 7 + w * 3 + p) % 20) })),
    })),
  });
  await svgToPng(chartSvg(spec(-1)));
  const renderMs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const started = performance.now();
    await svgToPng(chartSvg(spec(i)));
    renderMs.push(performance.now() - started);
  }
  renderMs.sort((x, y) => x - y);
  const max = renderMs.at(-1) ?? Number.POSITIVE_INFINITY;
  console.log('');
  console.log(`4. chart rendering (2 panels, 800×460 PNG), 40 charts one at a time: p50 ${percentile(renderMs, 50).toFixed(0)} ms, p99 ${percentile(renderMs, 99).toFixed(0)} ms, max ${max.toFixed(0)} ms (target ≤ 300 ms: ${mark(max <= 300)}); ${load()}`);
}

async function main(): Promise<void> {
  console.log(`bench/kpis: ${VALUES} values in batches of ${BATCH} from ${CLIENTS} clients; CSV of ${CSV_ROWS} rows; /kpi at concurrency ${CONCURRENCY}, ${SECONDS} s per run`);
  const fake = await startFakeSlackApi();
  const bolt = await startBareBoltProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  const steward = await startStewardProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl, env: { LOG_LEVEL: 'error' } });
  const tmp = mkdtempSync(join(tmpdir(), 'steward-bench-kpis-'));
  try {
    const db = steward.database.db;
    const bench: Bench = { steward, bolt, db, tmp, ...(await seed(db)) };
    if (PARTS.has('ingest')) await ingestPart(bench);
    if (PARTS.has('csv')) await csvPart(bench);
    if (PARTS.has('snapshot')) await snapshotPart(bench);
    if (PARTS.has('render')) await renderPart();
    console.log(`Steward resident memory: ${steward.memory().rssMb.toFixed(0)} MB (peak ${steward.memory().peakRssMb.toFixed(0)} MB)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await steward.stop();
    await bolt.stop();
    await fake.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
