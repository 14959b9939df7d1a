// Deadlines as people read and write them: shown in the organisation's time zone ("Fri 3 Apr, 12:00"),
// and an admin's extension typed as a duration (2d, 36h) or a local date and time (2027-04-02 17:00).

import { formatFor } from '../chat/time-text.js';

/** Milliseconds the zone is ahead of UTC at that instant. */
function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = formatFor(`offset:${timeZone}`, () =>
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }),
  ).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a wall-clock time in a zone stands for (the later one when a clock change repeats it). */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - zoneOffsetMs(new Date(wall), timeZone);
  return new Date(wall - zoneOffsetMs(new Date(first), timeZone));
}

export type DeadlineInput = { kind: 'extend-by'; ms: number } | { kind: 'until'; at: Date };

/**
 * `2d`, `36h`, `1w` extend the current deadline; `2027-04-02` (17:00) or `2027-04-02 12:30` set it,
 * in the organisation's time zone. Undefined when the text is neither.
 */
export function parseDeadlineInput(text: string, timeZone: string): DeadlineInput | undefined {
  const value = text.trim().toLowerCase();
  const duration = /^(?:by\s+)?(\d{1,4})\s*(h|hours?|d|days?|w|weeks?)$/.exec(value);
  if (duration) {
    const unit = duration[2]![0];
    const hours = Number(duration[1]) * (unit === 'h' ? 1 : unit === 'd' ? 24 : 168);
    return hours > 0 ? { kind: 'extend-by', ms: hours * 3_600_000 } : undefined;
  }
  const date = /^(?:until\s+|to\s+)?(\d{4})-(\d{2})-(\d{2})(?:[ t](\d{1,2}):(\d{2}))?$/.exec(value);
  if (!date) return undefined;
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  const [hour, minute] = date[4] !== undefined ? [Number(date[4]), Number(date[5])] : [17, 0];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCDate() !== day) return undefined;
  return { kind: 'until', at: zonedTime(year, month, day, hour, minute, timeZone) };
}
