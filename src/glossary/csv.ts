// The glossary as CSV, in the shared format (term,aliases,definition,notes,steward,status; aliases
// `;`-separated; steward an e-mail). Import is all-or-nothing: every row is checked first and each
// problem reported with its row, column and cause; only a clean file is written, in one transaction.
// Export neutralises cells a spreadsheet would run as formulas.
import { counted } from '../chat/words.js';
import { cleanCsvText, fromSpreadsheet, spreadsheetSafe } from '../csv/spreadsheet-safety.js';
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { findPersonByEmail } from '../orgs/repo.js';
import { personForEmail } from '../orgs/service.js';
import { distinctAliases } from './changes.js';
import { normalise } from './matching/normalise.js';
import { aliasRow, termRow, versionRow, type TermState } from './publish.js';
import * as bulk from './repo/bulk.js';
import * as termsRepo from './repo/terms.js';
import { aliasList, definitionText, linkList, notesText, termName } from './schema.js';
import type { GlossaryTermsTable } from './tables.js';

export const CSV_COLUMNS = ['term', 'aliases', 'definition', 'notes', 'steward', 'status'] as const;
/** Accepted on import when present; absent, the term keeps what it had. */
const OPTIONAL_COLUMNS = ['links', 'replaced_by'] as const;

export interface RowProblem {
  /** As a spreadsheet counts: the header is row 1. */
  row: number;
  column: string;
  problem: string;
}

export interface ImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  problems: RowProblem[];
}

const emailCell = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .refine((v) => v === '' || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), { message: 'is not an e-mail address' });

const statusCell = z
  .string()
  .transform((v) => v.trim().toLowerCase() || 'approved')
  .pipe(z.enum(['proposed', 'approved', 'deprecated'], { error: 'must be proposed, approved or deprecated' }));

const csvRow = z.object({
  term: termName,
  aliases: aliasList,
  definition: definitionText,
  notes: notesText,
  steward: emailCell,
  status: statusCell,
  links: linkList.optional(),
  replaced_by: z.string().transform((v) => v.trim()).optional(),
});

type CsvRow = z.infer<typeof csvRow>;

interface ParsedRow extends CsvRow {
  row: number;
  norm: string;
  aliases: string[];
}

/** Reads the file into validated rows, or the problems that stop it. */
export function parseGlossaryCsv(text: string): { rows: ParsedRow[]; columns: Set<string>; problems: RowProblem[] } {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? error.lines : 0;
      return { rows: [], columns: new Set(), problems: [{ row: line, column: '(file)', problem: `not readable as CSV: ${error.message}` }] };
    }
    throw error;
  }
  const problems: RowProblem[] = [];
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const known = new Set<string>([...CSV_COLUMNS, ...OPTIONAL_COLUMNS]);
  for (const column of CSV_COLUMNS) if (!header.includes(column)) problems.push({ row: 1, column, problem: 'column missing from the header' });
  header.forEach((column, i) => {
    if (!known.has(column)) problems.push({ row: 1, column: column || `column ${i + 1}`, problem: `unknown column (expected ${CSV_COLUMNS.join(',')})` });
    else if (header.indexOf(column) !== i) problems.push({ row: 1, column, problem: 'column appears twice' });
  });
  if (problems.length) return { rows: [], columns: new Set(header), problems };

  const rows: ParsedRow[] = [];
  records.slice(1).forEach((record, index) => {
    const row = index + 2;
    if (record.every((cell) => cell.trim() === '')) return;
    if (record.length > header.length) {
      problems.push({ row, column: '(row)', problem: `has ${record.length} cells, the header has ${header.length}` });
      return;
    }
    const cells: Record<string, string> = {};
    header.forEach((column, i) => {
      cells[column] = fromSpreadsheet(record[i] ?? '');
    });
    const parsed = csvRow.safeParse(cells);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = String(issue.path[0] ?? '(row)');
        const message = issue.message.startsWith('The ') || issue.message.startsWith('“') || issue.message.startsWith('A ') ? issue.message : `${column} ${issue.message}`;
        problems.push({ row, column, problem: message });
      }
      return;
    }
    rows.push({ ...parsed.data, row, norm: normalise(parsed.data.term), aliases: distinctAliases(parsed.data.aliases, parsed.data.term) });
  });
  return { rows, columns: new Set(header), problems };
}

type ExistingTerm = Pick<
  Selectable<GlossaryTermsTable>,
  'id' | 'name' | 'definition' | 'notes' | 'links' | 'status' | 'replaced_by_id' | 'steward_person_id' | 'version'
> & { aliases: string[] };

async function existingTerms(db: Db, orgId: string): Promise<Map<string, ExistingTerm & { norm: string }>> {
  const { terms, aliases } = await bulk.allTermsWithAliases(db, orgId);
  const byId = new Map<string, ExistingTerm & { norm: string }>();
  for (const t of terms) byId.set(t.id, { ...t, norm: t.name_norm, aliases: [] });
  for (const a of aliases) byId.get(a.term_id)?.aliases.push(a.alias);
  return new Map([...byId.values()].map((t) => [t.norm, t]));
}

const sameStrings = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Cross-row rules: each name and alias leads to one term, in the file and in what the file leaves as it is. */
function checkConsistency(rows: ParsedRow[], existing: Map<string, ExistingTerm & { norm: string }>, columns: Set<string>): RowProblem[] {
  const problems: RowProblem[] = [];
  const owner = new Map<string, { row: number; term: string; as: 'term' | 'alias' }>();
  for (const r of rows) {
    const seen = owner.get(r.norm);
    if (seen) problems.push({ row: r.row, column: 'term', problem: `“${r.term}” is already ${seen.as === 'term' ? 'a term' : `an alias of “${seen.term}”`} in row ${seen.row}` });
    else owner.set(r.norm, { row: r.row, term: r.term, as: 'term' });
  }
  for (const r of rows) {
    for (const alias of r.aliases) {
      const norm = normalise(alias);
      const seen = owner.get(norm);
      if (seen && !(seen.row === r.row)) {
        problems.push({ row: r.row, column: 'aliases', problem: `“${alias}” is already ${seen.as === 'term' ? 'a term' : `an alias of “${seen.term}”`} in row ${seen.row}` });
      } else if (!seen) owner.set(norm, { row: r.row, term: r.term, as: 'alias' });
    }
  }
  // Terms the file does not mention keep their names and aliases; the file may not take them.
  const inFile = new Set(rows.map((r) => r.norm));
  const kept = new Map<string, string>();
  for (const t of existing.values()) {
    if (inFile.has(t.norm)) continue;
    kept.set(t.norm, t.name);
    for (const alias of t.aliases) kept.set(normalise(alias), t.name);
  }
  for (const r of rows) {
    for (const text of [r.term, ...r.aliases]) {
      const holder = kept.get(normalise(text));
      if (holder) {
        problems.push({
          row: r.row,
          column: text === r.term ? 'term' : 'aliases',
          problem: `“${text}” already leads to “${holder}” in the glossary, which this file does not list`,
        });
      }
    }
  }
  if (columns.has('replaced_by')) {
    const names = new Set([...inFile, ...existing.keys()]);
    for (const r of rows) {
      if (!r.replaced_by) continue;
      const norm = normalise(r.replaced_by);
      if (r.status !== 'deprecated') problems.push({ row: r.row, column: 'replaced_by', problem: 'only a deprecated term has a replacement' });
      else if (norm === r.norm) problems.push({ row: r.row, column: 'replaced_by', problem: 'a term cannot replace itself' });
      else if (!names.has(norm)) problems.push({ row: r.row, column: 'replaced_by', problem: `“${r.replaced_by}” is not a term in the file or the glossary` });
    }
  }
  return problems.sort((a, b) => a.row - b.row);
}


export interface ImportOptions {
  dryRun?: boolean;
  /** Who the versions are attributed to, e.g. `import` or `demo seed`. */
  by: string;
  now: Date;
}

type Plan = { row: ParsedRow; current?: ExistingTerm; state: TermState };
type Existing = Map<string, ExistingTerm & { norm: string }>;

/** Imports a whole CSV into one organisation, or nothing at all. */
export async function importGlossaryCsv(db: Db, orgId: string, text: string, options: ImportOptions): Promise<ImportReport> {
  const parsed = parseGlossaryCsv(cleanCsvText(text));
  const report: ImportReport = { dryRun: Boolean(options.dryRun), rows: parsed.rows.length, created: 0, updated: 0, unchanged: 0, problems: parsed.problems };
  // A file Steward cannot read, or a wrong header, stops here; bad rows are reported together with
  // what the good rows would clash with.
  if (parsed.problems.some((p) => p.row <= 1 || p.column === '(file)')) return report;

  const written = await db.transaction().execute(async (trx) => {
    await termsRepo.lockGlossary(trx, orgId);
    const existing = await existingTerms(trx, orgId);
    report.problems = [...parsed.problems, ...checkConsistency(parsed.rows, existing, parsed.columns)].sort((a, b) => a.row - b.row);
    if (report.problems.length) return report;
    const plans = await planRows(trx, orgId, parsed, existing, options);
    if (options.dryRun) {
      for (const plan of plans) {
        if (!plan.current) report.created++;
        else if (differs(plan.current, plan.state)) report.updated++;
        else report.unchanged++;
      }
      return report;
    }
    await writePlans(trx, orgId, plans, existing, parsed.columns, options, report);
    return report;
  });
  // New rows wait in the GIN indexes' pending lists, which every lookup would scan until a vacuum
  // merges them, and the planner's statistics predate them: vacuum now, as part of the import.
  if (!written.dryRun && !written.problems.length && written.created + written.updated >= 1000) await bulk.tidyAfterImport(db);
  return written;
}

/** Each row's next state, stewards resolved by e-mail. */
async function planRows(trx: Db, orgId: string, parsed: ReturnType<typeof parseGlossaryCsv>, existing: Existing, options: ImportOptions): Promise<Plan[]> {
  const stewards = new Map<string, string | null>();
  const plans: Plan[] = [];
  for (const row of parsed.rows) {
    const current = existing.get(row.norm);
    let stewardId: string | null = null;
    if (row.steward) {
      if (!stewards.has(row.steward)) {
        // A dry run writes nothing, not even the people it would create; an unknown steward is a change anyway.
        const id = options.dryRun ? ((await findPersonByEmail(trx, orgId, row.steward))?.id ?? `new:${row.steward}`) : await personForEmail(trx, orgId, row.steward);
        stewards.set(row.steward, id);
      }
      stewardId = stewards.get(row.steward) ?? null;
    }
    const state: TermState = {
      name: row.term,
      definition: row.definition,
      notes: row.notes || null,
      links: row.links ?? current?.links ?? [],
      aliases: row.aliases,
      status: row.status,
      // Resolved after all terms exist; a file without the column keeps the replacement.
      replacedById: !parsed.columns.has('replaced_by') && row.status === 'deprecated' ? (current?.replaced_by_id ?? null) : null,
      stewardPersonId: stewardId,
    };
    plans.push({ row, ...(current ? { current } : {}), state });
  }
  return plans;
}

/** Writes the planned terms, aliases, words and versions; counts what changed in the report. */
async function writePlans(trx: Db, orgId: string, plans: Plan[], existing: Existing, columns: Set<string>, options: ImportOptions, report: ImportReport): Promise<void> {
  // Replacements by name, once every term of the file has an id.
  const idsByNorm = new Map([...existing.values()].map((t) => [t.norm, t.id]));
  const creates = plans.filter((p) => !p.current);
  const createdRows = creates.map((p) => termRow(orgId, p.state, 1, options.now));
  const inserted = await bulk.insertTermsBulk(trx, createdRows);
  const vocabulary = createdRows.flatMap((row) => row.words.split(' '));
  for (const row of inserted) idsByNorm.set(row.name_norm, row.id);
  if (columns.has('replaced_by')) {
    for (const plan of plans) plan.state.replacedById = plan.row.replaced_by ? (idsByNorm.get(normalise(plan.row.replaced_by)) ?? null) : null;
  }

  const updates = plans.flatMap((p) => (p.current && differs(p.current, p.state) ? [{ ...p, current: p.current }] : []));
  report.created = creates.length;
  report.updated = updates.length;
  report.unchanged = plans.length - creates.length - updates.length;

  // Aliases move between terms only after every old one is gone.
  const changedIds = updates.map((p) => p.current.id);
  await bulk.deleteAliasesOfTerms(trx, changedIds);
  for (const plan of updates) {
    const { org_id: _org, created_at: _created, ...set } = termRow(orgId, plan.state, plan.current.version + 1, options.now);
    vocabulary.push(...set.words.split(' '));
    await termsRepo.updateTerm(trx, plan.current.id, set);
  }
  const replacementsCreated = creates.filter((p) => p.state.replacedById);
  for (const plan of replacementsCreated) {
    await bulk.setReplacement(trx, idsByNorm.get(plan.row.norm) ?? '', plan.state.replacedById);
  }

  const written = [...creates.map((p) => ({ plan: p, version: 1 })), ...updates.map((p) => ({ plan: p, version: p.current.version + 1 }))];
  const aliasRows = written.flatMap(({ plan }) => plan.state.aliases.map((alias) => aliasRow(orgId, idsByNorm.get(plan.row.norm) ?? '', alias)));
  await bulk.insertAliasesBulk(trx, aliasRows);
  await bulk.addWords(trx, orgId, vocabulary);
  const versionRows = written.map(({ plan, version }) =>
    versionRow({ orgId, next: plan.state, change: 'imported', by: { label: options.by }, now: options.now }, idsByNorm.get(plan.row.norm) ?? '', version, plan.state.aliases),
  );
  await bulk.insertVersionsBulk(trx, versionRows);
}

/** Whether the file changes a term. */
function differs(current: ExistingTerm, next: TermState): boolean {
  return (
    current.name !== next.name ||
    current.definition !== next.definition ||
    (current.notes ?? '') !== (next.notes ?? '') ||
    !sameStrings(current.links, next.links) ||
    current.status !== next.status ||
    current.replaced_by_id !== next.replacedById ||
    current.steward_person_id !== next.stewardPersonId ||
    // Aliases are a set: their order in a file is not a change.
    !sameStrings([...current.aliases].sort(), [...next.aliases].sort())
  );
}

/** The whole glossary of one organisation, in the shared CSV format, formulas neutralised. */
export async function exportGlossaryCsv(db: Db, orgId: string): Promise<string> {
  const rows = await bulk.exportRows(db, orgId);
  const records = rows.map((r) => [r.name, r.aliases, r.definition, r.notes ?? '', r.email ?? '', r.status].map(spreadsheetSafe));
  return stringify([[...CSV_COLUMNS], ...records]);
}

/** A report as lines for a terminal. */
export function describeReport(report: ImportReport): string[] {
  if (report.problems.length) {
    return [
      `Nothing was imported: ${counted(report.problems.length, 'problem')}.`,
      ...report.problems.map((p) => `  row ${p.row}, ${p.column}: ${p.problem}`),
    ];
  }
  const what = `${report.created} new, ${report.updated} changed, ${report.unchanged} unchanged`;
  return [report.dryRun ? `Dry run: ${report.rows} rows are valid; importing would make ${what}. Nothing was written.` : `Imported ${report.rows} rows: ${what}.`];
}
