// When the digest runs: a cron pattern in the organisation's IANA time zone (default Monday 09:00).
// The same cron-parser BullMQ's job schedulers use computes the slots, so what we show is what runs.
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

export const DEFAULT_DIGEST_CRON = '0 9 * * 1';
export const DEFAULT_TIME_ZONE = 'Europe/Amsterdam';

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isCron(value: string): boolean {
  try {
    CronExpressionParser.parse(value);
    return value.trim().split(/\s+/).length === 5;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Amsterdam');
export const cronSchema = z.string().refine(isCron, 'a five-field cron pattern such as "0 9 * * 1" (minute hour day month weekday)');

/** Stored under `settings.governanceSchedule` of the organisation. */
export const scheduleSettingsSchema = z.object({
  digestEnabled: z.boolean().default(true),
  digestCron: cronSchema.default(DEFAULT_DIGEST_CRON),
  /** Direct message to board members with votes pending, this many hours before a deadline; 0 turns it off. */
  voteReminderHours: z.number().int().min(0).max(168).default(24),
  /** An approved glossary term unchanged for this long is listed as due for review. */
  glossaryReviewDays: z.number().int().min(7).max(3650).default(180),
});

export type ScheduleSettings = z.infer<typeof scheduleSettingsSchema>;

export function readScheduleSettings(settings: Record<string, unknown>): ScheduleSettings {
  const parsed = scheduleSettingsSchema.safeParse(settings.governanceSchedule ?? {});
  return parsed.success ? parsed.data : scheduleSettingsSchema.parse({});
}

/** The most recent slot at or before `now`: the period a run at `now` stands for. */
export function latestSlot(pattern: string, timeZone: string, now: Date): Date {
  const expression = CronExpressionParser.parse(pattern, { currentDate: new Date(now.getTime() + 1), tz: timeZone });
  return expression.prev().toDate();
}

/** The next `count` slots after `from`. */
export function nextSlots(pattern: string, timeZone: string, from: Date, count: number): Date[] {
  const expression = CronExpressionParser.parse(pattern, { currentDate: from, tz: timeZone });
  return Array.from({ length: count }, () => expression.next().toDate());
}

export function periodKey(slot: Date): string {
  return slot.toISOString();
}

/** "Mon 29 Mar 2027, 09:00 (Europe/Amsterdam)". */
export function describeSlot(slot: Date, timeZone: string): string {
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(slot);
  return `${text} (${timeZone})`;
}

/** Human words for the common patterns, the pattern itself otherwise. */
export function describeCron(pattern: string): string {
  const match = /^(\d{1,2}) (\d{1,2}) \* \* ([0-7])$/.exec(pattern.trim());
  if (!match) return `cron “${pattern}”`;
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  return `every ${days[Number(match[3])]} at ${match[2]!.padStart(2, '0')}:${match[1]!.padStart(2, '0')}`;
}
