// The KPI rules, free of I/O: the status of a value against its thresholds, "stale" and "no data",
// the change against the previous period, and how long a breach has lasted. Reaching a threshold
// counts: a higher-is-better KPI at exactly its breach value is breached, at exactly its warning
// value at risk.
import { addPeriods, formatDate, parseDate, periodStartOf, periodsBetween, type Cadence } from './periods.js';

export type Direction = 'higher' | 'lower';
export type ValueStatus = 'on_track' | 'at_risk' | 'breached';
export type KpiStatus = ValueStatus | 'no_data' | 'stale';

export interface KpiRules {
  direction: Direction;
  target: number;
  warning: number;
  breach: number;
  cadence: Cadence;
}

export interface Point {
  /** Period start, YYYY-MM-DD. */
  period: string;
  value: number;
}

/**
 * How many complete periods may lack a value before the KPI counts as stale: the period that just
 * ended may still be on its way, the one before it not.
 */
export const GRACE_PERIODS = 1;

export const STATUS_LABELS: Record<KpiStatus, string> = {
  on_track: 'on track',
  at_risk: 'at risk',
  breached: 'breached',
  no_data: 'no data',
  stale: 'stale',
};

/** A mark that reads without colour too. */
export const STATUS_MARKS: Record<KpiStatus, string> = {
  on_track: '🟢',
  at_risk: '🟠',
  breached: '🔴',
  no_data: '⚪',
  stale: '⚪',
};

export function valueStatus(rules: Pick<KpiRules, 'direction' | 'warning' | 'breach'>, value: number): ValueStatus {
  if (rules.direction === 'higher') {
    if (value <= rules.breach) return 'breached';
    if (value <= rules.warning) return 'at_risk';
    return 'on_track';
  }
  if (value >= rules.breach) return 'breached';
  if (value >= rules.warning) return 'at_risk';
  return 'on_track';
}

export type Trend = 'up' | 'down' | 'flat';

export interface Delta {
  previous: Point;
  absolute: number;
  /** Relative change, undefined when the previous value was 0. */
  relative: number | undefined;
  trend: Trend;
  /** Whether the change goes the right way for this KPI; undefined when flat. */
  better: boolean | undefined;
}

export interface Reading {
  status: KpiStatus;
  /** The status of the latest value alone, also when the KPI is stale. */
  valueStatus: ValueStatus | undefined;
  latest: Point | undefined;
  /** Undefined when there is no value for the period right before the latest one. */
  delta: Delta | undefined;
  /** The period right before the latest one, for "no value for …" when delta is missing. */
  previousPeriod: string | undefined;
  /** Complete periods since the latest value (0: the latest is the current or the last complete period). */
  missedPeriods: number;
}

/** Sorted copy, oldest first. */
function byPeriod(points: readonly Point[]): Point[] {
  return [...points].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
}

export function deltaBetween(rules: Pick<KpiRules, 'direction'>, previous: Point, latest: Point): Delta {
  // Rounding keeps 36.7 - 36.4 from reading as 0.30000000000000426.
  const absolute = Math.round((latest.value - previous.value) * 1e9) / 1e9;
  const trend: Trend = absolute > 0 ? 'up' : absolute < 0 ? 'down' : 'flat';
  return {
    previous,
    absolute,
    relative: previous.value === 0 ? undefined : absolute / Math.abs(previous.value),
    trend,
    better: trend === 'flat' ? undefined : (trend === 'up') === (rules.direction === 'higher'),
  };
}

export function readKpi(rules: KpiRules, points: readonly Point[], now: Date): Reading {
  const sorted = byPeriod(points);
  const latest = sorted.at(-1);
  if (!latest) return { status: 'no_data', valueStatus: undefined, latest: undefined, delta: undefined, previousPeriod: undefined, missedPeriods: 0 };
  const latestDate = parseDate(latest.period);
  if (!latestDate) throw new Error(`not a period date: ${latest.period}`);
  const current = periodStartOf(rules.cadence, now);
  // Periods after the latest one that have ended without a value (the current one has not ended).
  const missedPeriods = Math.max(0, periodsBetween(rules.cadence, latestDate, current) - 1);
  const previousPeriod = formatDate(addPeriods(rules.cadence, latestDate, -1));
  const previous = sorted.find((p) => p.period === previousPeriod);
  const status = valueStatus(rules, latest.value);
  return {
    status: missedPeriods > GRACE_PERIODS ? 'stale' : status,
    valueStatus: status,
    latest,
    delta: previous ? deltaBetween(rules, previous, latest) : undefined,
    previousPeriod,
    missedPeriods,
  };
}

export interface BreachStreak {
  /** Consecutive breached periods ending at the latest value; a missing period ends a streak. */
  length: number;
  /** The first period of the streak. */
  since: string | undefined;
  latest: Point | undefined;
}

export function breachStreak(rules: KpiRules, points: readonly Point[]): BreachStreak {
  const sorted = byPeriod(points);
  const latest = sorted.at(-1);
  let length = 0;
  let since: string | undefined;
  let expected = latest?.period;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const point = sorted[i]!;
    if (point.period !== expected || valueStatus(rules, point.value) !== 'breached') break;
    length++;
    since = point.period;
    const date = parseDate(point.period);
    if (!date) break;
    expected = formatDate(addPeriods(rules.cadence, date, -1));
  }
  return { length, since, latest };
}

export interface AlertRules extends KpiRules {
  /** How many consecutive breached periods fire an alert. */
  breachPeriods: number;
  /** While it stays breached, remind the owner every this many periods. */
  remindEveryPeriods: number;
}

export interface AlertState {
  state: 'ok' | 'breached';
  /** The period of the last ping or reminder. */
  lastNotifiedPeriod: string | null;
  muted: boolean;
}

export type AlertDecision =
  | { kind: 'none' }
  | { kind: 'fire'; since: string; latest: Point; periods: number }
  | { kind: 'remind'; latest: Point; periods: number }
  | { kind: 'recover'; latest: Point };

/** What to do after new values: fire only on a change of state, remind on the interval, recover. */
export function decideAlert(rules: AlertRules, points: readonly Point[], current: AlertState): AlertDecision {
  const streak = breachStreak(rules, points);
  const latest = streak.latest;
  if (!latest) return { kind: 'none' };
  if (current.state === 'ok') {
    return streak.length >= rules.breachPeriods && streak.since ? { kind: 'fire', since: streak.since, latest, periods: streak.length } : { kind: 'none' };
  }
  if (valueStatus(rules, latest.value) !== 'breached') return { kind: 'recover', latest };
  if (current.muted || !current.lastNotifiedPeriod) return { kind: 'none' };
  const last = parseDate(current.lastNotifiedPeriod);
  const now = parseDate(latest.period);
  if (!last || !now) return { kind: 'none' };
  return periodsBetween(rules.cadence, last, now) >= rules.remindEveryPeriods ? { kind: 'remind', latest, periods: Math.max(streak.length, 1) } : { kind: 'none' };
}
