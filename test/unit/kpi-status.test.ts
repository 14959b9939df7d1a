// The KPI rules as a person reads them on a snapshot: status at and around each threshold in both
// directions, stale and missing data, the change against the previous period, and when an alert fires.
import { describe, expect, it } from 'vitest';
import { addPeriods, isPeriodStart, parseDate, periodStartOf } from '../../src/kpis/periods.js';
import { breachStreak, decideAlert, readKpi, valueStatus, type AlertRules, type KpiRules, type Point } from '../../src/kpis/status.js';

const higher: KpiRules = { direction: 'higher', target: 40, warning: 35, breach: 30, cadence: 'week' };
const lower: KpiRules = { direction: 'lower', target: 15, warning: 20, breach: 25, cadence: 'week' };
// Tuesday 24 November 2026: the current week started Monday 23 November.
const now = new Date('2026-11-24T10:00:00Z');

const weeks = (values: (number | null)[], last = '2026-11-16'): Point[] => {
  const end = parseDate(last)!;
  return values.flatMap((value, i) => (value === null ? [] : [{ period: addPeriods('week', end, i - (values.length - 1)).toISOString().slice(0, 10), value }]));
};

describe('status of a value against its thresholds', () => {
  it('higher is better: breached at and below the breach value, at risk at and below the warning value', () => {
    expect(valueStatus(higher, 29.9)).toBe('breached');
    expect(valueStatus(higher, 30)).toBe('breached');
    expect(valueStatus(higher, 30.01)).toBe('at_risk');
    expect(valueStatus(higher, 35)).toBe('at_risk');
    expect(valueStatus(higher, 35.01)).toBe('on_track');
    expect(valueStatus(higher, 40)).toBe('on_track');
    expect(valueStatus(higher, 99)).toBe('on_track');
  });

  it('lower is better: breached at and above the breach value, at risk at and above the warning value', () => {
    expect(valueStatus(lower, 25.1)).toBe('breached');
    expect(valueStatus(lower, 25)).toBe('breached');
    expect(valueStatus(lower, 24.99)).toBe('at_risk');
    expect(valueStatus(lower, 20)).toBe('at_risk');
    expect(valueStatus(lower, 19.99)).toBe('on_track');
    expect(valueStatus(lower, 0)).toBe('on_track');
  });

  it('decimal thresholds compare exactly as typed (5.2 is at risk for a warning of 5.2)', () => {
    const effort: KpiRules = { direction: 'higher', target: 5.5, warning: 5.2, breach: 5.0, cadence: 'month' };
    expect(valueStatus(effort, 5.2)).toBe('at_risk');
    expect(valueStatus(effort, 5.0)).toBe('breached');
    expect(valueStatus(effort, 5.21)).toBe('on_track');
  });
});

describe('reading a KPI for a snapshot', () => {
  it('has no data without values', () => {
    const reading = readKpi(higher, [], now);
    expect(reading.status).toBe('no_data');
    expect(reading.latest).toBeUndefined();
    expect(reading.delta).toBeUndefined();
  });

  it('takes the latest period whatever order the values come in, and compares with the period before', () => {
    const reading = readKpi(higher, [...weeks([36.4, 37.3])].reverse(), now);
    expect(reading.latest).toEqual({ period: '2026-11-16', value: 37.3 });
    expect(reading.status).toBe('on_track');
    expect(reading.delta).toMatchObject({ absolute: 0.9, trend: 'up', better: true, previous: { period: '2026-11-09', value: 36.4 } });
    expect(reading.delta?.relative).toBeCloseTo(0.9 / 36.4, 10);
  });

  it('calls a rise worse when lower is better, and a fall better', () => {
    expect(readKpi(lower, weeks([20, 22.5]), now).delta).toMatchObject({ absolute: 2.5, trend: 'up', better: false });
    expect(readKpi(lower, weeks([22.5, 20]), now).delta).toMatchObject({ absolute: -2.5, trend: 'down', better: true });
  });

  it('calls an unchanged value flat, neither better nor worse', () => {
    expect(readKpi(higher, weeks([37, 37]), now).delta).toMatchObject({ absolute: 0, trend: 'flat', better: undefined });
  });

  it('gives no change when the previous period is missing, and says which period that is', () => {
    const reading = readKpi(higher, weeks([36, null, 38]), now);
    expect(reading.latest?.period).toBe('2026-11-16');
    expect(reading.delta).toBeUndefined();
    expect(reading.previousPeriod).toBe('2026-11-09');
  });

  it('gives no relative change against a previous value of zero', () => {
    expect(readKpi(lower, weeks([0, 3]), now).delta).toMatchObject({ absolute: 3, relative: undefined });
  });

  it('is fresh with the last complete week, and still fresh one week behind (the grace period)', () => {
    expect(readKpi(higher, weeks([38], '2026-11-16'), now).status).toBe('on_track');
    expect(readKpi(higher, weeks([38], '2026-11-23'), now).status).toBe('on_track');
    const oneBehind = readKpi(higher, weeks([38], '2026-11-09'), now);
    expect(oneBehind.status).toBe('on_track');
    expect(oneBehind.missedPeriods).toBe(1);
  });

  it('is stale two complete weeks behind, and keeps the last value and its own status', () => {
    const reading = readKpi(lower, weeks([27], '2026-11-02'), now);
    expect(reading.status).toBe('stale');
    expect(reading.valueStatus).toBe('breached');
    expect(reading.missedPeriods).toBe(2);
    expect(reading.latest).toEqual({ period: '2026-11-02', value: 27 });
  });

  it('counts months for a monthly KPI: in November, September is the last fresh month and August stale', () => {
    const monthly: KpiRules = { ...higher, cadence: 'month' };
    expect(readKpi(monthly, [{ period: '2026-11-01', value: 36 }], now).status).toBe('on_track');
    expect(readKpi(monthly, [{ period: '2026-10-01', value: 36 }], now).status).toBe('on_track');
    expect(readKpi(monthly, [{ period: '2026-09-01', value: 36 }], now).status).toBe('on_track');
    expect(readKpi(monthly, [{ period: '2026-08-01', value: 36 }], now).status).toBe('stale');
    expect(readKpi(monthly, [{ period: '2026-08-01', value: 36 }, { period: '2026-09-01', value: 33 }], now).delta).toMatchObject({ absolute: -3, better: false });
  });

  it('reads the change across a year boundary for monthly KPIs', () => {
    const monthly: KpiRules = { ...higher, cadence: 'month' };
    const reading = readKpi(monthly, [{ period: '2025-12-01', value: 30 }, { period: '2026-01-01', value: 31 }], new Date('2026-01-20T00:00:00Z'));
    expect(reading.delta?.previous.period).toBe('2025-12-01');
  });
});

describe('periods', () => {
  it('weeks start on Monday and months on the first, in UTC', () => {
    expect(isPeriodStart('week', parseDate('2026-01-05')!)).toBe(true);
    expect(isPeriodStart('week', parseDate('2026-01-06')!)).toBe(false);
    expect(isPeriodStart('month', parseDate('2026-02-01')!)).toBe(true);
    expect(periodStartOf('week', new Date('2026-11-29T23:59:00Z')).toISOString().slice(0, 10)).toBe('2026-11-23');
    expect(periodStartOf('month', now).toISOString().slice(0, 10)).toBe('2026-11-01');
  });

  it('refuses dates that do not exist', () => {
    expect(parseDate('2026-02-30')).toBeUndefined();
    expect(parseDate('2026-1-05')).toBeUndefined();
  });
});

describe('breach streak and alert decisions', () => {
  const rules: AlertRules = { ...lower, breachPeriods: 3, remindEveryPeriods: 4 };
  const ok = { state: 'ok' as const, lastNotifiedPeriod: null, muted: false };

  it('counts consecutive breached periods up to the latest, and a missing period ends the streak', () => {
    expect(breachStreak(rules, weeks([26, 27, 28])).length).toBe(3);
    expect(breachStreak(rules, weeks([26, null, 27, 28])).length).toBe(2);
    expect(breachStreak(rules, weeks([26, 24, 27])).length).toBe(1);
    expect(breachStreak(rules, weeks([26, 27, 20])).length).toBe(0);
  });

  it('fires once the breach has lasted the configured periods, not before', () => {
    expect(decideAlert(rules, weeks([20, 26, 27]), ok)).toEqual({ kind: 'none' });
    expect(decideAlert(rules, weeks([20, 26, 27, 25]), ok)).toMatchObject({ kind: 'fire', since: '2026-11-02', periods: 3 });
  });

  it('does not fire again while the state is already breached, until the reminder interval', () => {
    const breached = { state: 'breached' as const, lastNotifiedPeriod: '2026-10-19', muted: false };
    expect(decideAlert(rules, weeks([26, 27, 28, 29, 30], '2026-11-09'), breached)).toEqual({ kind: 'none' });
    expect(decideAlert(rules, weeks([26, 27, 28, 29, 30], '2026-11-16'), breached)).toMatchObject({ kind: 'remind', latest: { period: '2026-11-16' } });
  });

  it('sends no reminder when muted, but still recovers', () => {
    const muted = { state: 'breached' as const, lastNotifiedPeriod: '2026-01-05', muted: true };
    expect(decideAlert(rules, weeks([26, 27, 28]), muted)).toEqual({ kind: 'none' });
    expect(decideAlert(rules, weeks([26, 27, 24.9]), muted)).toMatchObject({ kind: 'recover', latest: { value: 24.9 } });
  });

  it('recovers as soon as the latest value is no longer breached (at risk counts as recovered)', () => {
    const breached = { state: 'breached' as const, lastNotifiedPeriod: '2026-11-09', muted: false };
    expect(decideAlert(rules, weeks([26, 27, 25]), breached)).toEqual({ kind: 'none' });
    expect(decideAlert(rules, weeks([26, 27, 21]), breached)).toMatchObject({ kind: 'recover' });
  });

  it('fires with a breach of one period when configured so, for higher-is-better too', () => {
    const once: AlertRules = { ...higher, breachPeriods: 1, remindEveryPeriods: 4 };
    expect(decideAlert(once, weeks([36, 30]), ok)).toMatchObject({ kind: 'fire', since: '2026-11-16', periods: 1 });
    expect(decideAlert(once, weeks([36, 30.5]), ok)).toEqual({ kind: 'none' });
  });
});
