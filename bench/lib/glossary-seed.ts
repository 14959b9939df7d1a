// What every glossary load benchmark (bench/glossary, glossary-mix, compose, mcp) shares: its
// command-line options, the generated glossary imported into Steward's database, and the
// `/glossary` slash command each sender sends.
import type { Db } from '../../src/db/database.js';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { toCsv, type GeneratedTerm } from './glossary-data.js';
import type { SlashCommand } from './slack-load.js';

/** For node:util parseArgs: the glossary's size and how long, in how many rounds and at what concurrency to load it. */
export const GLOSSARY_LOAD_OPTIONS = {
  terms: { type: 'string', default: '100000' },
  seconds: { type: 'string', default: '20' },
  rounds: { type: 'string', default: '2' },
  concurrency: { type: 'string', default: '50' },
  warmup: { type: 'string', default: '3' },
} as const;

export interface GlossaryLoadSettings {
  terms: number;
  seconds: number;
  rounds: number;
  concurrency: number;
  warmupMs: number;
}

export function glossaryLoadSettings(values: { terms: string; seconds: string; rounds: string; concurrency: string; warmup: string }): GlossaryLoadSettings {
  return {
    terms: Number(values.terms),
    seconds: Number(values.seconds),
    rounds: Math.max(1, Number(values.rounds)),
    concurrency: Number(values.concurrency),
    warmupMs: Number(values.warmup) * 1000,
  };
}

/** Imports the generated terms into the organisation as an admin would (the CSV import); throws when a row is refused. */
export async function importBenchGlossary(db: Db, orgId: string, terms: GeneratedTerm[]): Promise<{ rows: number; created: number; seconds: number; csvBytes: number }> {
  const csv = toCsv(terms);
  const started = performance.now();
  const report = await importGlossaryCsv(db, orgId, csv, { by: 'bench', now: new Date() });
  if (report.problems.length) throw new Error(`the generated CSV did not import: ${JSON.stringify(report.problems.slice(0, 5))}`);
  return { rows: report.rows, created: report.created, seconds: (performance.now() - started) / 1000, csvBytes: csv.length };
}

/** `/glossary <text>` from benchmark user number `sender`. */
export function glossaryCommand(text: string, sender: number): SlashCommand {
  return { command: '/glossary', text, userId: `UBENCH${String(sender).padStart(4, '0')}` };
}
