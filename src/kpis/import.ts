// CSV import of KPI definitions and of KPI values (the formats of data/demo/kpis.csv and
// data/demo/kpi-values.csv), with the API's guarantees: every row is checked, a file with any
// problem changes nothing, and the problems name the line and the column.
import { counted } from '../chat/words.js';
import { cleanCsvText } from '../csv/spreadsheet-safety.js';
import type { z } from 'zod';
import type { Db } from '../db/database.js';
import { normalise } from '../glossary/matching/normalise.js';
import { readCsv } from './csv.js';
import { termIdsByNorm } from './terms-repo.js';
import { ingestValues, MAX_LISTED_PROBLEMS, type IngestOutcome, type ValueItem } from './ingest.js';
import { journeyIdsByKeys, markValuesEvaluated, upsertKpi } from './repo.js';
import { CSV_KPI_COLUMNS, CSV_VALUE_COLUMNS, csvKpiRow, csvValueRow, problemsOf, type CsvKpiRow, type ItemProblem } from './schema.js';

export type DefinitionsOutcome =
  | { ok: true; created: number; updated: number; keys: string[]; /** Glossary terms named by KPIs that the glossary does not have (yet). */ missingTerms: string[] }
  | { ok: false; errors: ItemProblem[]; errorCount: number };

function failed(errors: ItemProblem[]): { ok: false; errors: ItemProblem[]; errorCount: number } {
  return { ok: false, errors: errors.slice(0, MAX_LISTED_PROBLEMS), errorCount: errors.length };
}

export async function importKpiDefinitions(db: Db, orgId: string, text: string): Promise<DefinitionsOutcome> {
  const read = readCsv(cleanCsvText(text), { required: CSV_KPI_COLUMNS, optional: ['unit', 'glossary_term', 'breach_periods', 'remind_every_periods'] });
  if (!read.ok) return failed(read.errors);
  const errors: ItemProblem[] = [];
  const rows: { line: number; row: CsvKpiRow }[] = [];
  const seen = new Map<string, number>();
  for (const { record, cells } of read.rows) {
    const line = read.lineOf(record);
    const parsed = csvKpiRow.safeParse(cells);
    if (!parsed.success) {
      errors.push(...problemsOf(line, parsed.error));
      continue;
    }
    const earlier = seen.get(parsed.data.key);
    if (earlier !== undefined) {
      errors.push({ index: line, field: 'key', problem: `line ${earlier} already defines ${parsed.data.key}` });
      continue;
    }
    seen.set(parsed.data.key, line);
    rows.push({ line, row: parsed.data });
  }
  const journeyKeys = [...new Set(rows.map((r) => r.row.journey))];
  const journeys = await journeyIdsByKeys(db, orgId, journeyKeys);
  for (const { line, row } of rows) {
    if (!journeys.has(row.journey)) errors.push({ index: line, field: 'journey', problem: `this organisation has no journey “${row.journey}” (add the journey first)` });
  }
  if (errors.length) return failed(errors.sort((a, b) => a.index - b.index));
  if (rows.length === 0) return { ok: true, created: 0, updated: 0, keys: [], missingTerms: [] };
  const terms = await glossaryTermIds(db, orgId, rows.flatMap((r) => (r.row.glossary_term ? [r.row.glossary_term] : [])));

  return db.transaction().execute(async (trx) => {
    let created = 0;
    for (const { row } of rows) {
      const values = {
        journey_id: journeys.get(row.journey) ?? '',
        name: row.name,
        unit: row.unit,
        direction: row.direction,
        target: row.target,
        warning: row.warning,
        breach: row.breach,
        cadence: row.cadence,
        glossary_term: row.glossary_term ?? null,
        glossary_term_id: row.glossary_term ? (terms.get(normalise(row.glossary_term)) ?? null) : null,
        ...(row.breach_periods !== undefined ? { breach_periods: row.breach_periods } : {}),
        ...(row.remind_every_periods !== undefined ? { remind_every_periods: row.remind_every_periods } : {}),
      };
      const inserted = await upsertKpi(trx, orgId, row.key, values);
      if (inserted) created++;
    }
    const missingTerms = [...new Set(rows.flatMap((r) => (r.row.glossary_term && !terms.has(normalise(r.row.glossary_term)) ? [r.row.glossary_term] : [])))];
    return { ok: true as const, created, updated: rows.length - created, keys: rows.map((r) => r.row.key), missingTerms };
  });
}

/** A field schema whose results are remembered per distinct cell (bounded, so a file of all-distinct cells cannot grow it without end). */
function memoised<S extends z.ZodType>(schema: S): (cell: string | undefined) => z.ZodSafeParseResult<z.output<S>> {
  const cache = new Map<string | undefined, z.ZodSafeParseResult<z.output<S>>>();
  return (cell) => {
    let result = cache.get(cell);
    if (!result) {
      result = schema.safeParse(cell);
      if (cache.size < 100_000) cache.set(cell, result);
    }
    return result;
  };
}

/**
 * Checks kpi-values rows with the fields of csvValueRow. A file repeats its KPI keys, periods and
 * segments on row after row, so each distinct cell is validated once; values are checked every time.
 */
function valueRowValidator() {
  const { shape } = csvValueRow;
  const kpi = memoised(shape.kpi);
  const period = memoised(shape.period_start);
  const segment = memoised(shape.segment);
  const source = memoised(shape.source);
  return (record: number, cells: Record<string, string>): { ok: true; item: ValueItem } | { ok: false; problems: ItemProblem[] } => {
    const results = { kpi: kpi(cells.kpi), period_start: period(cells.period_start), segment: segment(cells.segment), value: shape.value.safeParse(cells.value), source: source(cells.source) };
    const { kpi: k, period_start: p, segment: g, value: v, source: o } = results;
    if (k.success && p.success && g.success && v.success && o.success) {
      return { ok: true, item: { index: record, kpi: k.data, period_start: p.data, segment: g.data, value: v.data, source: o.data } };
    }
    const problems = Object.entries(results).flatMap(([field, result]) =>
      result.success ? [] : problemsOf(record, result.error).map((problem) => ({ ...problem, field })),
    );
    return { ok: false, problems };
  };
}

/** Glossary term ids by normalised name or alias, for the terms KPIs name. */
async function glossaryTermIds(db: Db, orgId: string, names: string[]): Promise<Map<string, string>> {
  const norms = [...new Set(names.map(normalise))];
  if (norms.length === 0) return new Map();
  const ids = new Map<string, string>();
  for (const row of await termIdsByNorm(db, orgId, norms)) if (!ids.has(row.norm)) ids.set(row.norm, row.id);
  return ids;
}

export interface ValueImportOptions {
  source: string;
  now: Date;
  /** False for a backfill of history: the values are taken as already seen, so no alert fires about the past. */
  alerts?: boolean;
}

export async function importKpiValues(db: Db, orgId: string, text: string, options: ValueImportOptions): Promise<IngestOutcome> {
  const read = readCsv(cleanCsvText(text), { required: CSV_VALUE_COLUMNS, optional: ['segment', 'source'] });
  if (!read.ok) return failed(read.errors);
  const errors: ItemProblem[] = [];
  const items: ValueItem[] = [];
  // Items carry their record number; problems are turned into file lines only when there are some.
  const validate = valueRowValidator();
  for (const { record, cells } of read.rows) {
    const parsed = validate(record, cells);
    if (!parsed.ok) {
      errors.push(...parsed.problems);
      if (errors.length > MAX_LISTED_PROBLEMS * 10) break;
      continue;
    }
    items.push(parsed.item);
  }
  const byLine = (problems: ItemProblem[]) =>
    problems.map(({ sameAs, ...p }) => ({ ...p, index: read.lineOf(p.index), ...(sameAs === undefined ? {} : { problem: `${p.problem} of line ${read.lineOf(sameAs)}` }) }));
  if (errors.length > MAX_LISTED_PROBLEMS * 10) return failed(byLine(errors));
  const outcome = await ingestValues(db, { orgId, items, problems: errors, defaultSource: options.source, now: options.now });
  if (!outcome.ok) return { ...outcome, errors: byLine(outcome.errors) };
  if (outcome.ok && options.alerts === false && outcome.kpiIds.length) {
    await markValuesEvaluated(db, outcome.kpiIds);
  }
  return outcome;
}

/** The lines a person reads after an import: what changed, or each problem by line and column. */
export function formatKpiImportReport(file: string, outcome: DefinitionsOutcome | IngestOutcome): string[] {
  if (!outcome.ok) {
    const advice = importOrderAdvice(file, outcome.errors);
    const others = outcome.errors.filter((e) => !missingPrerequisite(e));
    // After the advice, a few other problems are enough: the file is imported again anyway.
    const listed = advice.length ? others.slice(0, 5) : others;
    const lines = [...advice, ...listed.map((e) => `${file}:${e.index}: ${e.field}: ${e.problem}`)];
    const accounted = outcome.errors.length - others.length + listed.length;
    if (outcome.errorCount > accounted) lines.push(`… and ${outcome.errorCount - accounted} more problems`);
    lines.push(`Nothing was imported: ${counted(outcome.errorCount, 'problem')}.`);
    return lines;
  }
  if ('keys' in outcome) {
    const lines = [`Imported ${outcome.keys.length} KPI definitions: ${outcome.created} new, ${outcome.updated} updated.`];
    if (outcome.missingTerms.length) lines.push(`Not in the glossary (yet): ${outcome.missingTerms.join(', ')}. Snapshots name these terms without a definition until the glossary has them.`);
    return lines;
  }
  return [`Imported ${outcome.stored} values: ${outcome.inserted} new, ${outcome.replaced} replaced (kept in history), ${outcome.unchanged} unchanged.`];
}

/** The order imports must follow: a file can only name what an earlier one brought in. */
export const IMPORT_ORDER = 'journeys → KPIs → KPI values (the glossary any time)';

type RowProblem = { index: number; field: string; problem: string };

/** A row that names a journey or KPI no earlier import brought in. */
function missingPrerequisite(error: RowProblem): 'journeys' | 'kpis' | undefined {
  if (error.field === 'journey' && error.problem.startsWith('this organisation has no journey')) return 'journeys';
  if (error.field === 'kpi' && error.problem.startsWith('this organisation has no KPI')) return 'kpis';
  return undefined;
}

/**
 * Rows naming journeys or KPIs that do not exist yet are one mistake (the files were imported out
 * of order), said once with the file to import first and a few of the rows, not once per row.
 */
function importOrderAdvice(file: string, errors: RowProblem[]): string[] {
  const lines: string[] = [];
  for (const kind of ['journeys', 'kpis'] as const) {
    const rows = errors.filter((e) => missingPrerequisite(e) === kind);
    if (rows.length === 0) continue;
    const first = kind === 'journeys' ? '`steward import journeys <journeys.csv>`' : '`steward import kpis <kpis.csv>`';
    lines.push(`${file} names ${kind === 'journeys' ? 'journeys' : 'KPIs'} that are not imported yet: import them first with ${first} (the order is ${IMPORT_ORDER}). For example:`);
    lines.push(...rows.slice(0, 3).map((e) => `  ${file}:${e.index}: ${e.problem}`));
    if (rows.length > 3) lines.push(`  … and ${rows.length - 3} more rows like these`);
  }
  return lines;
}
