// bench/glossary-mix: glossary lookups as people really ask them, on 100,000 generated terms (× 2
// aliases) in Postgres: 40 % the 200 most popular terms, 30 % typos of any term, 15 % aliases, 15 %
// misses (about 60 % of lookups not asked before), as signed `/glossary` commands at concurrency 50
// against Steward and, alternating in rounds, the bare Bolt baseline. Prints req/s, p50/p95/p99 and
// the ratios (targets: throughput ≥ 0.5 × bare Bolt, p99 ≤ 2 ×), resident memory (target < 400 MB),
// and then checks the answers to 2,000 distinct queries of the stream (the expected term, or a miss).
// Run: npx tsx bench/glossary-mix.ts [--terms 100000] [--seconds 20] [--rounds 2] [--concurrency 50] [--queries 200000]
import { generateMixQueries } from './lib/glossary-data.js';
import { runGlossaryBench } from './lib/glossary-bench.js';

runGlossaryBench({
  title: ({ terms, concurrency, seconds, rounds }) =>
    `bench/glossary-mix: ${terms.toLocaleString('en')} generated terms × 2 aliases in Postgres; a realistic mix of /glossary lookups (40 % popular, 30 % typos, 15 % aliases, 15 % misses) at concurrency ${concurrency}, ${seconds} s per target in ${rounds} alternating rounds (bare Bolt first)`,
  queries: generateMixQueries,
  checkAnswers: 2_000,
  // Distinct queries in turn: the popular ones repeat by themselves, the rest are rarely asked twice.
  defaultQueries: 200_000,
  rssTargetMb: 400,
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
