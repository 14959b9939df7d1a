// The weekly digest runs at local 09:00 every Monday, across both DST changes of 2027, in each zone:
// never twice in a week, never skipped.
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIGEST_CRON, describeCron, latestSlot, nextSlots } from '../../src/governance/schedule.js';

const localParts = (date: Date, timeZone: string) => {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value;
  return { weekday: get('weekday'), time: `${get('hour')}:${get('minute')}` };
};

describe.each(['Europe/Amsterdam', 'America/New_York', 'Asia/Kolkata'])('weekly digest schedule in %s', (timeZone) => {
  const runs = nextSlots(DEFAULT_DIGEST_CRON, timeZone, new Date('2027-01-01T00:00:00Z'), 53);

  it('runs every Monday at 09:00 local time through all of 2027', () => {
    for (const run of runs) expect(localParts(run, timeZone)).toEqual({ weekday: 'Mon', time: '09:00' });
  });

  it('runs exactly once a week: no week twice, none skipped, across both DST changes', () => {
    for (let i = 1; i < runs.length; i++) {
      const gapHours = (runs[i]!.getTime() - runs[i - 1]!.getTime()) / 3_600_000;
      // 168 h, or 167 / 169 h in the week a DST change falls in.
      expect([167, 168, 169]).toContain(gapHours);
    }
    const inYear = runs.filter((r) => r.getUTCFullYear() === 2027 || r < new Date('2028-01-01T12:00:00Z'));
    expect(inYear.length).toBeGreaterThanOrEqual(52);
  });

  it('assigns a run just after 09:00 to that morning\'s period, and a run just before to the previous week', () => {
    const monday = runs[12]!;
    expect(latestSlot(DEFAULT_DIGEST_CRON, timeZone, new Date(monday.getTime() + 60_000))).toEqual(monday);
    expect(latestSlot(DEFAULT_DIGEST_CRON, timeZone, monday)).toEqual(monday);
    expect(latestSlot(DEFAULT_DIGEST_CRON, timeZone, new Date(monday.getTime() - 60_000))).toEqual(runs[11]);
  });
});

describe('schedule words', () => {
  it('describes the default pattern in words', () => {
    expect(describeCron('0 9 * * 1')).toBe('every Monday at 09:00');
  });

  it('runs around the 2027 DST changes at the local hour, not the UTC hour', () => {
    // Europe: last Sunday of March and of October 2027.
    const [beforeSpring, afterSpring] = nextSlots(DEFAULT_DIGEST_CRON, 'Europe/Amsterdam', new Date('2027-03-23T00:00:00Z'), 2);
    expect(beforeSpring?.toISOString()).toBe('2027-03-29T07:00:00.000Z');
    expect(afterSpring?.toISOString()).toBe('2027-04-05T07:00:00.000Z');
    const [lastWinterish] = nextSlots(DEFAULT_DIGEST_CRON, 'Europe/Amsterdam', new Date('2027-10-26T00:00:00Z'), 1);
    expect(lastWinterish?.toISOString()).toBe('2027-11-01T08:00:00.000Z');
    // New York: second Sunday of March, first Sunday of November 2027.
    const [ny] = nextSlots(DEFAULT_DIGEST_CRON, 'America/New_York', new Date('2027-03-14T12:00:00Z'), 1);
    expect(ny?.toISOString()).toBe('2027-03-15T13:00:00.000Z');
    const [nyWinter] = nextSlots(DEFAULT_DIGEST_CRON, 'America/New_York', new Date('2027-11-07T12:00:00Z'), 1);
    expect(nyWinter?.toISOString()).toBe('2027-11-08T14:00:00.000Z');
    // Kolkata has no DST: always 03:30 UTC.
    for (const run of nextSlots(DEFAULT_DIGEST_CRON, 'Asia/Kolkata', new Date('2027-03-01T00:00:00Z'), 40)) {
      expect(run.toISOString().slice(11, 16)).toBe('03:30');
    }
  });
});
