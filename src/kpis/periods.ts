// Period arithmetic for KPI cadences. A weekly period starts on a Monday (ISO week), a monthly one on
// the first of the month; periods are calendar dates (YYYY-MM-DD), computed in UTC so that the
// server's time zone never shifts a period.
export type Cadence = 'week' | 'month';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC midnight of a YYYY-MM-DD date, or undefined when it is not a real calendar date. */
export function parseDate(value: string): Date | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return formatDate(date) === value ? date : undefined;
}

export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whether a date is where a period of this cadence starts. */
export function isPeriodStart(cadence: Cadence, date: Date): boolean {
  return cadence === 'week' ? date.getUTCDay() === 1 : date.getUTCDate() === 1;
}

/** The start of the period that contains this moment. */
export function periodStartOf(cadence: Cadence, moment: Date): Date {
  const day = new Date(Date.UTC(moment.getUTCFullYear(), moment.getUTCMonth(), moment.getUTCDate()));
  if (cadence === 'month') return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY_MS);
}

/** The period start `count` periods after (or before, when negative) this one. */
export function addPeriods(cadence: Cadence, start: Date, count: number): Date {
  if (cadence === 'week') return new Date(start.getTime() + count * 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + count, 1));
}

/** Whole periods from `from` to `to` (both period starts); negative when `to` is earlier. */
export function periodsBetween(cadence: Cadence, from: Date, to: Date): number {
  if (cadence === 'week') return Math.round((to.getTime() - from.getTime()) / (7 * DAY_MS));
  return (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
}

export const CADENCE_LABELS: Record<Cadence, { period: string; adjective: string }> = {
  week: { period: 'week', adjective: 'weekly' },
  month: { period: 'month', adjective: 'monthly' },
};

// Built once: a date formatter is expensive to create, and a chart labels two dozen periods.
const MONTH_YEAR = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const DAY_MONTH = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const MONTH_SHORT_YEAR = new Intl.DateTimeFormat('en-GB', { month: 'short', year: '2-digit', timeZone: 'UTC' });

/** How a period reads in a card: `week of 2026-11-16`, `November 2026`. */
export function periodLabel(cadence: Cadence, start: string): string {
  if (cadence === 'week') return `week of ${start}`;
  const date = parseDate(start);
  return date ? MONTH_YEAR.format(date) : start;
}

/** A short axis label: `16 Nov` for weeks, `Nov 26` for months. */
export function periodAxisLabel(cadence: Cadence, start: string): string {
  const date = parseDate(start);
  if (!date) return start;
  return (cadence === 'week' ? DAY_MONTH : MONTH_SHORT_YEAR).format(date);
}
