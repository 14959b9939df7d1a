// bench/overhead: what Steward's chat path costs next to a bare Bolt app. Signed `/cx help` slash
// commands at concurrency 50 against Steward (real Postgres on a fresh schema, Redis, Slack Web API
// at a local fake) and against a bare Bolt app whose handler only acks (Web API at the same fake),
// alternating the two in rounds. Prints req/s and p50/p95/p99 for both, the ratios, and Steward's
// resident memory after the run. Judge by the ratios: the machines are shared and noisy.
// Run: npx tsx bench/overhead.ts [--seconds 20] [--rounds 2] [--concurrency 50]
import { parseArgs } from 'node:util';
import { startBareBoltProcess } from './lib/bare-bolt.js';
import { startFakeSlackApi } from './lib/fake-slack-api.js';
import { BENCH_SIGNING_SECRET, runSlackLoad, slackSignature, slashCommandForm, type LoadRun } from './lib/slack-load.js';
import { combine, formatFigures, summarise } from './lib/stats.js';
import { startStewardProcess } from './lib/steward-process.js';
import type { ServerProcess } from './lib/server-process.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Math.max(1, Number(values.rounds));
const CONCURRENCY = Number(values.concurrency);
const WARMUP_MS = Number(values.warmup) * 1000;

/** Each sender is one Slack user, so Steward resolves CONCURRENCY different people. */
const helpFrom = (sender: number) => ({ command: '/cx', text: 'help', userId: `UBENCH${String(sender).padStart(4, '0')}` });

async function checkAnswers(target: ServerProcess, expect: (status: number, body: string) => boolean, label: string): Promise<void> {
  const body = slashCommandForm(helpFrom(0));
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${target.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(body, timestamp, BENCH_SIGNING_SECRET) },
    body,
  });
  const text = await response.text();
  if (!expect(response.status, text)) throw new Error(`${label} did not answer /cx help as expected: HTTP ${response.status} ${text.slice(0, 200)}`);
}

const load = (target: ServerProcess, durationMs: number) =>
  runSlackLoad({ url: target.url, signingSecret: BENCH_SIGNING_SECRET, concurrency: CONCURRENCY, durationMs, command: helpFrom });

async function main(): Promise<void> {
  const roundMs = (SECONDS * 1000) / ROUNDS;
  console.log(`bench/overhead: signed /cx help at concurrency ${CONCURRENCY}; ${ROUNDS} rounds × ${(roundMs / 1000).toFixed(1)} s per target, alternating (bare Bolt first), after ${WARMUP_MS / 1000} s warm-up each`);
  const fake = await startFakeSlackApi();
  const bolt = await startBareBoltProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  const steward = await startStewardProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  try {
    await checkAnswers(bolt, (status) => status === 200, 'bare Bolt');
    await checkAnswers(steward, (status, body) => status === 200 && body.includes('Steward help'), 'Steward');
    console.log(`Steward memory after start: ${steward.memory().rssMb.toFixed(0)} MB resident`);

    // Warm-up: JIT, connection pools, and Steward meets each benchmark user once (person created).
    await load(bolt, WARMUP_MS);
    await load(steward, WARMUP_MS);

    const runs: Record<'bolt' | 'steward', LoadRun[]> = { bolt: [], steward: [] };
    // CPU time per request is far less sensitive to other load on the machine than wall-clock rates.
    const serverCpuMs = { bolt: 0, steward: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, target, label] of [['bolt', bolt, 'bare Bolt'], ['steward', steward, 'Steward']] as const) {
        const cpuBefore = target.cpuMs();
        const loaderBefore = process.cpuUsage();
        const run = await load(target, roundMs);
        const cpu = target.cpuMs() - cpuBefore;
        const loader = process.cpuUsage(loaderBefore);
        serverCpuMs[name] += cpu;
        runs[name].push(run);
        console.log(
          `${formatFigures(`r${round} ${label}`, summarise(run.latenciesMs, run.errors, run.durationMs))}   server CPU ${(cpu / Math.max(1, run.latenciesMs.length)).toFixed(2)} ms/req, load generator ${(((loader.user + loader.system) / 1000 / run.durationMs) * 100).toFixed(0)}% of a core`,
        );
        if (run.errorSamples.length) console.log(`    errors, e.g.: ${run.errorSamples.join('; ')}`);
      }
    }

    const b = combine(runs.bolt);
    const s = combine(runs.steward);
    const memory = steward.memory();
    const throughput = s.rps / b.rps;
    const p99 = s.p99 / b.p99;
    const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    console.log('');
    console.log(formatFigures('bare Bolt', b));
    console.log(formatFigures('Steward', s));
    console.log('');
    console.log(`throughput Steward / bare Bolt: ${throughput.toFixed(2)}  (target ≥ 0.80: ${mark(throughput >= 0.8)})`);
    console.log(`p50 Steward / bare Bolt:        ${(s.p50 / b.p50).toFixed(2)}`);
    console.log(`p95 Steward / bare Bolt:        ${(s.p95 / b.p95).toFixed(2)}`);
    console.log(`p99 Steward / bare Bolt:        ${p99.toFixed(2)}  (target ≤ 1.50: ${mark(p99 <= 1.5)})`);
    const boltCpu = serverCpuMs.bolt / b.requests;
    const stewardCpu = serverCpuMs.steward / s.requests;
    console.log(`server CPU per request:         bare Bolt ${boltCpu.toFixed(2)} ms, Steward ${stewardCpu.toFixed(2)} ms (Steward / bare Bolt ${(stewardCpu / boltCpu).toFixed(2)}; Postgres not counted)`);
    console.log(`Steward resident memory after the run: ${memory.rssMb.toFixed(0)} MB (peak ${memory.peakRssMb.toFixed(0)} MB; target < 250 MB: ${mark(memory.rssMb < 250)})`);
    console.log(`bare Bolt resident memory after the run: ${bolt.memory().rssMb.toFixed(0)} MB`);
    console.log(`fake Slack Web API calls: ${[...fake.calls].map(([method, n]) => `${method} ${n}`).join(', ') || 'none'}`);
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
