// Organisation settings the journeys capability reads: the escalation delay, stored in
// organisations.settings under escalationDelayHours (other capabilities keep their own keys there).
import { z } from 'zod';
import type { Db } from '../db/database.js';
import * as repo from './repo.js';

export const DEFAULT_ESCALATION_DELAY_HOURS = 24;

const settings = z.object({ escalationDelayHours: z.number().positive().max(720).optional() }).loose();

/** The delay from an organisation's settings column; a malformed value (edited by hand) falls back to the default. */
export function delayFromSettings(value: unknown): number {
  const parsed = settings.safeParse(value ?? {});
  return (parsed.success ? parsed.data.escalationDelayHours : undefined) ?? DEFAULT_ESCALATION_DELAY_HOURS;
}

export async function escalationDelayHours(db: Db, orgId: string): Promise<number> {
  return delayFromSettings(await repo.orgSettings(db, orgId));
}

export async function setEscalationDelayHours(db: Db, orgId: string, hours: number): Promise<void> {
  await repo.mergeEscalationDelay(db, orgId, hours);
}

export function delayMs(hours: number): number {
  return Math.round(hours * 3_600_000);
}

/** "24 h", "1.5 h", "30 min". */
export function formatHours(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}

export async function orgTimeZone(db: Db, orgId: string): Promise<string> {
  return (await repo.orgTimeZoneOf(db, orgId)) ?? 'UTC';
}

// Building an Intl.DateTimeFormat costs far more than using one: one per time zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** A moment as people in the organisation read it: "Tue 14 May, 09:30 CEST". */
export function formatWhen(at: Date, timeZone: string): string {
  try {
    return formatterFor(timeZone).format(at);
  } catch {
    return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
}
