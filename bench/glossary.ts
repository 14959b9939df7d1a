// bench/glossary: glossary lookups at scale. Generates 100,000 terms with 200,000 aliases, imports
// them as one CSV into real Postgres through the importer (timed: target < 30 s), then sends signed
// `/glossary <query>` slash commands (exact hits, aliases, typos, misses) at concurrency 50 to Steward
// and, alternating in rounds, signed commands to the bare Bolt baseline of bench/overhead. Prints
// req/s and p50/p95/p99 for both and the ratios (targets: throughput ≥ 0.5 × bare Bolt, p99 ≤ 2 ×).
// Steward answers a question it answered before from memory and matches new ones against its term
// index (built in the background after the import); --queries sets how many distinct queries are
// sent in turn (200000: nearly every lookup is new).
// Run: npx tsx bench/glossary.ts [--terms 100000] [--seconds 20] [--rounds 2] [--concurrency 50]
import { generateQueries } from './lib/glossary-data.js';
import { runGlossaryBench } from './lib/glossary-bench.js';

runGlossaryBench({
  title: ({ terms, concurrency, seconds, rounds }) =>
    `bench/glossary: ${terms.toLocaleString('en')} generated terms × 2 aliases in Postgres; signed /glossary lookups at concurrency ${concurrency}, ${seconds} s per target in ${rounds} alternating rounds (bare Bolt first)`,
  queries: generateQueries,
  rssTargetMb: 400,
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
