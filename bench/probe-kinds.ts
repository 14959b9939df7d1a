// temporary probe (not committed): latency per query kind under the glossary load
import * as orgsRepo from '../src/orgs/repo.js';
import { generateQueries, generateTerms } from './lib/glossary-data.js';
import { glossaryCommand, importBenchGlossary } from './lib/glossary-seed.js';
import { startFakeSlackApi } from './lib/fake-slack-api.js';
import { BENCH_SIGNING_SECRET, postSlackEvent, runLoad, slackSignature, slashCommandForm } from './lib/slack-load.js';
import { startStewardProcess } from './lib/steward-process.js';

const fake = await startFakeSlackApi();
const steward = await startStewardProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
const terms = generateTerms(100_000);
const orgId = (await orgsRepo.createOrganisation(steward.database.db, 'Bench organisation')).id;
await importBenchGlossary(steward.database.db, orgId, terms);
const queries = generateQueries(terms, 200_000);
let next = 0;
const byKind = new Map<string, number[]>();
const run = (ms: number, record: boolean) => runLoad({ url: steward.url, concurrency: 50, durationMs: ms, async send(agent, url, sender) {
  const q = queries[next++ % queries.length]!;
  const body = slashCommandForm(glossaryCommand(q.text, sender));
  const ts = Math.floor(Date.now() / 1000);
  const t0 = performance.now();
  const status = await postSlackEvent(agent, url, body, { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(body, ts, BENCH_SIGNING_SECRET) });
  if (record) { const l = byKind.get(q.kind) ?? []; l.push(performance.now() - t0); byKind.set(q.kind, l); }
  return status === 200 ? undefined : `HTTP ${status}`;
} });
await run(3000, false);
const r = await run(10_000, true);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1); };
const all = [...byKind.values()].flat();
console.log('all', all.length, (all.length / (r.durationMs / 1000)).toFixed(0), 'req/s', 'p50', pct(all, 0.5), 'p99', pct(all, 0.99));
for (const [k, xs] of byKind) console.log(k.padEnd(6), String(xs.length).padStart(6), 'p50', pct(xs, 0.5), 'p90', pct(xs, 0.9), 'p99', pct(xs, 0.99), 'share of top1%', (xs.filter((x) => x >= Number(pct(all, 0.99))).length / (all.length * 0.01)).toFixed(2));
await steward.stop(); await fake.close(); process.exit(0);
