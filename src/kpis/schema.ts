// zod schemas at the KPI edges: definition rows (CSV), value items (API JSON and CSV rows), command
// text and button payloads. Each problem names the field and what was expected.
import { withoutUnsafeCharacters } from '../chat/text-hygiene.js';
import { z } from 'zod';

export const KPI_KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const SEGMENT = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const kpiKey = z
  .string({ error: 'a KPI key (text)' })
  .trim()
  .toLowerCase()
  .regex(KPI_KEY, 'a KPI key: lowercase letters, digits and dashes, at most 64, starting with a letter or digit');

// The shape here; whether the day exists (no 30 February) is checked with the KPI's cadence in
// kpis/ingest.ts, once per distinct date of a request rather than once per item.
const periodDate = z
  .string({ error: 'a date as YYYY-MM-DD' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

const segment = z
  .string({ error: 'a segment name (text)' })
  .trim()
  .toLowerCase()
  .regex(SEGMENT, 'a segment: lowercase letters, digits, - and _, at most 64 (default “all”)');

const source = z.string({ error: 'text' }).transform(withoutUnsafeCharacters).pipe(z.string().trim().min(1, 'at least one character').max(200, 'at most 200 characters'));

const finiteNumber = z.number({ error: 'a number' }).refine(Number.isFinite, 'a finite number');

/** A number written in a CSV cell: digits with an optional sign and decimal point. */
const numberText = (what: string) =>
  z
    .string({ error: what })
    .trim()
    .regex(/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, what)
    .transform(Number)
    .refine(Number.isFinite, 'a finite number');

/** One value in `POST /api/v1/kpis/{key}/values`. */
export const apiValueItem = z.strictObject(
  {
    period_start: periodDate,
    segment: segment.optional(),
    value: finiteNumber,
    source: source.optional(),
  },
  { error: 'an object with period_start, value and optionally segment and source' },
);

/** One value in `POST /api/v1/kpi-values`: the same, with the KPI's key. */
export const apiBatchItem = apiValueItem.extend({ kpi: kpiKey });

/** A row of a kpi-values CSV (the format of data/demo/kpi-values.csv). */
export const csvValueRow = z.object({
  kpi: kpiKey,
  period_start: periodDate,
  segment: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), segment.optional()),
  value: numberText('a number such as 42 or 37.5'),
  source: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), source.optional()),
});

export const CSV_VALUE_COLUMNS = ['kpi', 'period_start', 'value'] as const;

const optionalPeriods = (what: string) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z
      .string()
      .trim()
      .regex(/^\d{1,2}$/, what)
      .transform(Number)
      .refine((n) => n >= 1 && n <= 52, what)
      .optional(),
  );

/** A row of a kpis CSV (the format of data/demo/kpis.csv, with two optional alert columns). */
export const csvKpiRow = z
  .object({
    key: kpiKey,
    journey: z.string({ error: 'a journey key' }).trim().toLowerCase().min(1, 'a journey key'),
    name: z.string({ error: 'a name' }).trim().min(1, 'a name').max(120, 'at most 120 characters'),
    unit: z.string().trim().max(32, 'at most 32 characters').default(''),
    direction: z.string({ error: 'higher or lower' }).trim().toLowerCase().pipe(z.enum(['higher', 'lower'], { error: 'higher or lower (is better)' })),
    target: numberText('the target, a number'),
    warning: numberText('the warning threshold, a number'),
    breach: numberText('the breach threshold, a number'),
    cadence: z
      .string({ error: 'week or month' })
      .trim()
      .toLowerCase()
      .transform((v) => (v === 'weekly' ? 'week' : v === 'monthly' ? 'month' : v))
      .pipe(z.enum(['week', 'month'], { error: 'week or month' })),
    glossary_term: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.string().trim().max(200, 'at most 200 characters').optional(),
    ),
    breach_periods: optionalPeriods('how many periods a breach must last before it alerts, 1 to 52'),
    remind_every_periods: optionalPeriods('a reminder interval in periods, 1 to 52'),
  })
  .superRefine((row, ctx) => {
    const ordered =
      row.direction === 'higher'
        ? row.target >= row.warning && row.warning >= row.breach
        : row.target <= row.warning && row.warning <= row.breach;
    if (!ordered) {
      ctx.addIssue({
        code: 'custom',
        path: ['warning'],
        message:
          row.direction === 'higher'
            ? 'thresholds in order for higher-is-better: target ≥ warning ≥ breach'
            : 'thresholds in order for lower-is-better: target ≤ warning ≤ breach',
      });
    }
  });

export type CsvKpiRow = z.infer<typeof csvKpiRow>;

export const CSV_KPI_COLUMNS = ['key', 'journey', 'name', 'direction', 'target', 'warning', 'breach', 'cadence'] as const;

/** Button payloads. */
export const kpiRef = z.object({ kpiId: z.uuid(), segment: z.string().regex(SEGMENT) });
export const shareRef = z.object({ kind: z.enum(['journey', 'kpi']), id: z.uuid() });

/** A problem with one item of a request or one row of a file. */
export interface ItemProblem {
  /** Position in the request's list (API) or line in the file (CSV). */
  index: number;
  field: string;
  problem: string;
  /** For a duplicate: the index of the item it repeats (the edge says "item 3" or "line 4"). */
  sameAs?: number;
}

/** The problems of a zod failure, each with the item's index and the field's path. */
export function problemsOf(index: number, error: z.ZodError): ItemProblem[] {
  return error.issues.map((issue) => ({
    index,
    field: issue.path.map(String).join('.') || 'item',
    problem: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : `expected ${issue.message}`,
  }));
}
