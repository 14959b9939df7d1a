import { readdirSync, readFileSync } from 'node:fs';
import { importGlossaryCsv } from '../src/glossary/csv.js';
import * as orgsRepo from '../src/orgs/repo.js';
import { startFakeSlackApi } from './lib/fake-slack-api.js';
import { BENCH_SIGNING_SECRET, runSlackLoad } from './lib/slack-load.js';
import { formatFigures, summarise } from './lib/stats.js';
import { startStewardProcess } from './lib/steward-process.js';

const fake = await startFakeSlackApi();
const steward = await startStewardProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl, nodeFlags: ['--cpu-prof', '--cpu-prof-dir=/tmp/gl/prof'] });
const orgId = (await orgsRepo.createOrganisation(steward.database.db, 'B')).id;
const lines = ['term,aliases,definition,notes,steward,status'];
for (let i = 0; i < 10000; i++) lines.push(`Term number ${i} alpha,T${i};alias ${i} beta,The definition of term ${i} for customers.,,steward${i % 25}@bench.example.com,approved`);
await importGlossaryCsv(steward.database.db, orgId, lines.join('\n'), { by: 'b', now: new Date() });
const mode = process.argv[2] ?? 'hit';
let n = 0;
const command = (sender: number) => ({ command: mode === 'help' ? '/cx' : '/glossary', text: mode === 'help' ? 'help' : mode === 'typo' ? `term numbr ${(n++ * 37) % 10000} alpha` : `term number ${(n++ * 37) % 10000} alpha`, userId: `UB${sender}` });
await runSlackLoad({ url: steward.url, signingSecret: BENCH_SIGNING_SECRET, concurrency: 10, durationMs: 2000, command });
const cpu0 = steward.cpuMs();
const run = await runSlackLoad({ url: steward.url, signingSecret: BENCH_SIGNING_SECRET, concurrency: 10, durationMs: 6000, command });
console.log(formatFigures(mode, summarise(run.latenciesMs, run.errors, run.durationMs)), 'cpu ms/req', ((steward.cpuMs() - cpu0) / run.latenciesMs.length).toFixed(2));
await steward.stop();
await fake.close();
const file = readdirSync('/tmp/gl/prof').filter((f) => f.endsWith('.cpuprofile')).sort().at(-1)!;
const profile = JSON.parse(readFileSync(`/tmp/gl/prof/${file}`, 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[] };
const counts = new Map<number, number>();
for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const byFn = new Map<string, number>();
for (const node of profile.nodes) {
  const c = counts.get(node.id) ?? 0;
  const key = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.replace(/.*node_modules\//, 'nm/').replace(/.*dist\/bench-\d+\//, '')}:${node.callFrame.lineNumber}`;
  byFn.set(key, (byFn.get(key) ?? 0) + c);
}
const total = profile.samples.length;
const byPkg = new Map<string, number>();
for (const [k, v] of byFn) { const m = /nm\/(@[^/]+\/[^/]+|[^/]+)/.exec(k); const pkg = m ? m[1]! : k.includes('src/') ? 'steward ' + (/src\/[^:]+/.exec(k)?.[0] ?? '') : k.split(' ')[0]!; byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + v); }
console.log('by package/file:'); for (const [k, v] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(((v / total) * 100).toFixed(1).padStart(5), k);
console.log('top functions:'); for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(((v / total) * 100).toFixed(1).padStart(5), k);
// who calls writev
const parents = new Map<number, number>();
for (const node of profile.nodes as { id: number; children?: number[] }[]) for (const c of node.children ?? []) parents.set(c, node.id);
const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
const callers = new Map<string, number>();
for (const node of profile.nodes) {
  if (node.callFrame.functionName !== 'writev') continue;
  let p = parents.get(node.id); const chain: string[] = [];
  for (let i = 0; i < 8 && p !== undefined; i++) { const pn = nodeById.get(p)!; chain.push(`${pn.callFrame.functionName}@${pn.callFrame.url.replace(/.*\//, '')}`); p = parents.get(p); }
  callers.set(chain.join(' < '), (callers.get(chain.join(' < ')) ?? 0) + (counts.get(node.id) ?? 0));
}
for (const [k, v] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(v, k);
