// Reads a KPI CSV file into rows keyed by column and checks the header against the columns the format
// requires and allows. Values are validated by the importers. Line numbers cost the parser several
// times its speed, so they are worked out (by parsing once more) only when there is a problem to
// report.
import { parse } from 'csv-parse/sync';
import type { ItemProblem } from './schema.js';

export interface CsvRow {
  /** 1 for the first row after the header, 2 for the next, …; `lineOf` turns it into a file line. */
  record: number;
  cells: Record<string, string>;
}

export type CsvRead =
  | { ok: true; rows: CsvRow[]; /** The line of the file where a record ends (the header is line 1). */ lineOf(record: number): number }
  | { ok: false; errors: ItemProblem[] };

const OPTIONS = { skip_empty_lines: true, trim: true, relax_column_count: true } as const;

function isRecords(value: unknown): value is string[][] {
  return Array.isArray(value) && value.every((r) => Array.isArray(r) && r.every((c) => typeof c === 'string'));
}

function isInfoRecords(value: unknown): value is { info: { lines: number } }[] {
  return Array.isArray(value) && value.every((r) => typeof r === 'object' && r !== null && 'info' in r && typeof r.info === 'object' && r.info !== null && 'lines' in r.info && typeof r.info.lines === 'number');
}

export function readCsv(text: string, format: { required: readonly string[]; optional: readonly string[] }): CsvRead {
  const source = text.replace(/^\uFEFF/, '');
  let records: unknown;
  try {
    records = parse(source, OPTIONS);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [{ index: 0, field: 'file', problem: `not a readable CSV file: ${message}` }] };
  }
  if (!isRecords(records)) return { ok: false, errors: [{ index: 0, field: 'file', problem: 'not a readable CSV file' }] };
  let lines: number[] | undefined;
  const lineOf = (record: number): number => {
    if (!lines) {
      const withInfo: unknown = parse(source, { ...OPTIONS, info: true });
      lines = isInfoRecords(withInfo) ? withInfo.map((r) => r.info.lines) : [];
    }
    return lines[record] ?? record + 1;
  };
  const [header, ...body] = records;
  if (!header) return { ok: false, errors: [{ index: 1, field: 'header', problem: `an empty file; expected a header line with ${format.required.join(', ')}` }] };
  const columns = header.map((c) => c.toLowerCase());
  const known = new Set([...format.required, ...format.optional]);
  const errors: ItemProblem[] = [];
  const missing = format.required.filter((c) => !columns.includes(c));
  if (missing.length) errors.push({ index: 1, field: 'header', problem: `missing column(s) ${missing.join(', ')}` });
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.length) errors.push({ index: 1, field: 'header', problem: `unknown column(s) ${unknown.join(', ')}; the columns are ${[...known].join(', ')}` });
  const duplicated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (duplicated.length) errors.push({ index: 1, field: 'header', problem: `column(s) named twice: ${duplicated.join(', ')}` });
  if (errors.length) return { ok: false, errors };
  const rows: CsvRow[] = [];
  body.forEach((record, i) => {
    if (record.length !== columns.length) {
      errors.push({ index: lineOf(i + 1), field: 'row', problem: `${record.length} cells where the header has ${columns.length}` });
      return;
    }
    const cells: Record<string, string> = {};
    columns.forEach((column, c) => {
      cells[column] = record[c] ?? '';
    });
    rows.push({ record: i + 1, cells });
  });
  return errors.length ? { ok: false, errors } : { ok: true, rows, lineOf };
}
