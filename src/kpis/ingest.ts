// Storing KPI values, for the API and the CSV import alike: every item is checked first (known KPI of
// this organisation, a period that starts a week or month of the KPI's cadence and has begun, no two
// items for the same KPI, segment and period), and only a request without a single problem is
// written, in one transaction. A value re-sent for a period replaces the old one; the change is kept
// in the history.
import type { Db } from '../db/database.js';
import { formatDate, isPeriodStart, parseDate, periodStartOf } from './periods.js';
import { kpisByKeys, lockAndBumpKpis, writeValues, type KpiRow, type ValueRow } from './repo.js';
import type { ItemProblem } from './schema.js';

/** Values written per statement: large enough to be fast, small enough for the parameter arrays. */
const CHUNK = 5_000;
/** At most this many problems are listed; the count says how many there were. */
export const MAX_LISTED_PROBLEMS = 100;

export interface ValueItem {
  /** Position in the request (API) or line in the file (CSV), for error messages. */
  index: number;
  kpi: string;
  period_start: string;
  segment?: string | undefined;
  value: number;
  source?: string | undefined;
}

export type IngestOutcome =
  | { ok: true; stored: number; inserted: number; replaced: number; unchanged: number; kpiIds: string[] }
  | { ok: false; errors: ItemProblem[]; errorCount: number };

const CADENCE_WORDS = { week: 'a Monday: weekly KPIs count weeks from Monday', month: 'the first of a month: monthly KPIs count calendar months' } as const;

export function checkItems(items: ValueItem[], kpis: Map<string, KpiRow>, now: Date, kpiField = 'kpi'): { rows: ValueRow[]; errors: ItemProblem[] } {
  const errors: ItemProblem[] = [];
  const rows: ValueRow[] = [];
  const seen = new Map<string, number>();
  // Per cadence: the current period, and whether a date starts a period (a batch repeats its dates).
  const current = { week: formatDate(periodStartOf('week', now)), month: formatDate(periodStartOf('month', now)) };
  const starts = new Map<string, boolean>();
  for (const item of items) {
    const kpi = kpis.get(item.kpi);
    if (!kpi) {
      errors.push({ index: item.index, field: kpiField, problem: `this organisation has no KPI “${item.kpi}”` });
      continue;
    }
    const startKey = `${kpi.cadence}:${item.period_start}`;
    let isStart = starts.get(startKey);
    if (isStart === undefined) {
      const date = parseDate(item.period_start);
      if (!date) {
        errors.push({ index: item.index, field: 'period_start', problem: `expected a real calendar date as YYYY-MM-DD` });
        continue;
      }
      isStart = isPeriodStart(kpi.cadence, date);
      starts.set(startKey, isStart);
    }
    if (!isStart) {
      errors.push({ index: item.index, field: 'period_start', problem: `${item.period_start} does not start a period of ${kpi.key}; expected ${CADENCE_WORDS[kpi.cadence]}` });
      continue;
    }
    if (item.period_start > current[kpi.cadence]) {
      errors.push({ index: item.index, field: 'period_start', problem: `${item.period_start} is a period that has not started yet (the current one starts ${current[kpi.cadence]})` });
      continue;
    }
    const segment = item.segment ?? 'all';
    const key = `${kpi.id}|${segment}|${item.period_start}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      errors.push({ index: item.index, field: 'period_start', problem: `repeats the value for ${kpi.key}, segment ${segment}, period ${item.period_start}`, sameAs: earlier });
      continue;
    }
    seen.set(key, item.index);
    rows.push({ kpiId: kpi.id, segment, period: item.period_start, value: item.value, source: item.source ?? '' });
  }
  return { rows, errors };
}

export interface IngestOptions {
  orgId: string;
  items: ValueItem[];
  /** Recorded with each value that names no source of its own (`api:<token name>`, `csv:<file>`). */
  defaultSource: string;
  now: Date;
  /** How the KPI field is called in the caller's format (`kpi` in a batch, the path in the single-KPI API). */
  kpiField?: string;
  /** Problems the caller found parsing other items: reported together with these checks, and nothing is written. */
  problems?: ItemProblem[];
}

export async function ingestValues(db: Db, options: IngestOptions): Promise<IngestOutcome> {
  const keys = [...new Set(options.items.map((i) => i.kpi))];
  const kpis = new Map((await kpisByKeys(db, options.orgId, keys)).map((k) => [k.key, k]));
  const checked = checkItems(options.items, kpis, options.now, options.kpiField);
  const { rows } = checked;
  const errors = [...(options.problems ?? []), ...checked.errors].sort((a, b) => a.index - b.index);
  if (errors.length) return { ok: false, errors: errors.slice(0, MAX_LISTED_PROBLEMS), errorCount: errors.length };
  for (const row of rows) if (!row.source) row.source = options.defaultSource;
  const kpiIds = [...new Set(rows.map((r) => r.kpiId))];
  const totals = await db.transaction().execute(async (trx) => {
    await lockAndBumpKpis(trx, kpiIds);
    const sum = { written: 0, existing: 0, replaced: 0 };
    for (let i = 0; i < rows.length; i += CHUNK) {
      const counts = await writeValues(trx, rows.slice(i, i + CHUNK), options.now);
      sum.written += counts.written;
      sum.existing += counts.existing;
      sum.replaced += counts.replaced;
    }
    return sum;
  });
  return {
    ok: true,
    stored: totals.written,
    inserted: totals.written - totals.existing,
    replaced: totals.replaced,
    unchanged: totals.existing - totals.replaced,
    kpiIds,
  };
}
