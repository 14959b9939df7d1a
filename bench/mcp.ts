// bench/mcp: glossary lookups through the MCP endpoint, side by side with the same lookups as signed
// Slack `/glossary` slash commands, on one Steward with 100,000 generated terms (200,000 aliases)
// imported like bench/glossary's. The same queries (exact names, aliases, typos, misses) are sent in
// the same order at concurrency 50 to both entry points, alternating in rounds (Slack first):
// MCP as JSON-RPC `tools/call lookup_term` with a bearer token of the mcp scope, one stateless
// request each; Slack as signed slash commands. Prints req/s and p50/p95/p99 for both and the ratios.
// Note what differs by design: Slack answers a question asked before from its remembered cards; MCP
// matches every call in the term index and reads the term, and builds an MCP server per request.
// Run: npx tsx bench/mcp.ts [--terms 100000] [--seconds 20] [--rounds 2] [--concurrency 50]
import { Agent } from 'node:http';
import { parseArgs } from 'node:util';
import * as orgsRepo from '../src/orgs/repo.js';
import { createToken } from '../src/tokens/service.js';
import { generateQueries, generateTerms } from './lib/glossary-data.js';
import { GLOSSARY_LOAD_OPTIONS, glossaryCommand, glossaryLoadSettings, importBenchGlossary } from './lib/glossary-seed.js';
import { startFakeSlackApi } from './lib/fake-slack-api.js';
import { isToolResult, postMcp, runMcpLoad, toolCallBody } from './lib/mcp-load.js';
import { alternatingRounds, BENCH_SIGNING_SECRET, runSlackLoad, type LoadRun } from './lib/slack-load.js';
import { combine, formatFigures } from './lib/stats.js';
import { startStewardProcess } from './lib/steward-process.js';

const { values } = parseArgs({
  options: {
    ...GLOSSARY_LOAD_OPTIONS,
    queries: { type: 'string', default: '5000' },
  },
});
const { terms: TERMS, seconds: SECONDS, rounds: ROUNDS, concurrency: CONCURRENCY, warmupMs: WARMUP_MS } = glossaryLoadSettings(values);
const QUERIES = Number(values.queries);

type Target = 'slack' | 'mcp';

async function main(): Promise<void> {
  console.log(`bench/mcp: ${TERMS.toLocaleString('en')} generated terms × 2 aliases in Postgres; glossary lookups at concurrency ${CONCURRENCY} through POST /mcp (tools/call lookup_term) and as signed Slack /glossary commands, ${SECONDS} s per entry point in ${ROUNDS} alternating rounds`);
  const fake = await startFakeSlackApi();
  const steward = await startStewardProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  try {
    const db = steward.database.db;
    const terms = generateTerms(TERMS);
    const orgId = (await orgsRepo.createOrganisation(db, 'Bench organisation')).id;
    const report = await importBenchGlossary(db, orgId, terms);
    console.log(`imported ${report.created.toLocaleString('en')} terms in ${report.seconds.toFixed(1)} s`);
    const token = (await createToken(db, { orgId, name: 'bench assistants', scope: 'mcp', requestsPerMinute: 1_000_000 })).token;

    const queries = generateQueries(terms, QUERIES);
    // Sanity: a hit through MCP answers with the term.
    const hit = queries.find((q) => q.kind === 'hit');
    if (hit) {
      const agent = new Agent({ keepAlive: false });
      const answer = await postMcp(agent, new URL(steward.url), token, toolCallBody(1, { name: 'lookup_term', arguments: { term: hit.text } }));
      agent.destroy();
      if (answer.status !== 200 || !isToolResult(answer.body) || !answer.body.includes(hit.expect ?? '')) throw new Error(`MCP did not answer lookup_term ${hit.text}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
    }

    // Each entry point walks the same query list from the start, so both see the same lookups in the same order.
    const cursor: Record<Target, number> = { slack: 0, mcp: 0 };
    const nextQuery = (target: Target) => queries[cursor[target]++ % queries.length]!.text;
    const load = (target: Target, durationMs: number): Promise<LoadRun> =>
      target === 'slack'
        ? runSlackLoad({ url: steward.url, signingSecret: BENCH_SIGNING_SECRET, concurrency: CONCURRENCY, durationMs, command: (sender) => glossaryCommand(nextQuery('slack'), sender) })
        : runMcpLoad({ url: steward.url, token, concurrency: CONCURRENCY, durationMs, call: () => ({ name: 'lookup_term', arguments: { term: nextQuery('mcp') } }) });

    // Warm-up: JIT, pools, the term index, and Steward meets each Slack benchmark user once.
    await load('slack', WARMUP_MS);
    await load('mcp', WARMUP_MS);
    cursor.slack = 0;
    cursor.mcp = 0;

    const runs = await alternatingRounds(ROUNDS, (SECONDS * 1000) / ROUNDS, [
      { key: 'slack', label: 'Slack', cpuMs: () => steward.cpuMs(), load: (ms) => load('slack', ms) },
      { key: 'mcp', label: 'MCP', cpuMs: () => steward.cpuMs(), load: (ms) => load('mcp', ms) },
    ]);

    const s = combine(runs.slack);
    const m = combine(runs.mcp);
    const logged = await db
      .selectFrom('glossary_lookups')
      .select(['platform', (eb) => eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .groupBy('platform')
      .execute();
    console.log('');
    console.log(formatFigures('Slack', s));
    console.log(formatFigures('MCP', m));
    console.log('');
    console.log(`throughput MCP / Slack: ${(m.rps / s.rps).toFixed(2)}`);
    console.log(`p99 MCP / Slack:        ${(m.p99 / s.p99).toFixed(2)}`);
    console.log(`lookups logged by source: ${logged.map((l) => `${l.platform} ${Number(l.n)}`).join(', ')}`);
    console.log(`Steward resident memory after the run: ${steward.memory().rssMb.toFixed(0)} MB (peak ${steward.memory().peakRssMb.toFixed(0)} MB)`);
  } finally {
    await steward.stop();
    await fake.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
