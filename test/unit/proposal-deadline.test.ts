// Deadlines as people read and type them: the organisation's time zone, summer time included.
import { describe, expect, it } from 'vitest';
import { localTime as formatDeadline } from '../../src/chat/time-text.js';
import { parseDeadlineInput, zonedTime } from '../../src/proposals/deadline.js';

describe('proposal deadlines', () => {
  it('shows a deadline in the organisation’s time zone', () => {
    const at = new Date('2027-04-02T10:00:00Z');
    expect(formatDeadline(at, 'Europe/Amsterdam')).toBe('Fri 2 Apr, 12:00');
    expect(formatDeadline(at, 'America/New_York')).toBe('Fri 2 Apr, 06:00');
  });

  it('reads a local date and time across summer time changes', () => {
    expect(zonedTime(2027, 3, 27, 12, 0, 'Europe/Amsterdam').toISOString()).toBe('2027-03-27T11:00:00.000Z');
    expect(zonedTime(2027, 3, 29, 12, 0, 'Europe/Amsterdam').toISOString()).toBe('2027-03-29T10:00:00.000Z');
  });

  it('reads an extension as a duration or a date, and nothing else', () => {
    expect(parseDeadlineInput('2d', 'UTC')).toEqual({ kind: 'extend-by', ms: 48 * 3_600_000 });
    expect(parseDeadlineInput('by 36h', 'UTC')).toEqual({ kind: 'extend-by', ms: 36 * 3_600_000 });
    expect(parseDeadlineInput('2027-04-20', 'Europe/Amsterdam')).toEqual({ kind: 'until', at: new Date('2027-04-20T15:00:00Z') });
    expect(parseDeadlineInput('until 2027-04-20 09:15', 'UTC')).toEqual({ kind: 'until', at: new Date('2027-04-20T09:15:00Z') });
    for (const bad of ['soon', '0d', '2027-02-30', '2027-13-01', '2027-04-20 25:00', '']) expect(parseDeadlineInput(bad, 'UTC')).toBeUndefined();
  });
});
