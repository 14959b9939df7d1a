// The organisation's governance settings as stored in `organisations.settings` (jsonb, shared with
// other capabilities' keys), and the parsers for what people type to change them or the schedule in
// chat or the CLI.
import { counted } from '../chat/words.js';
import { z } from 'zod';
import { InvalidInput } from '../chat/errors.js';
import { cronSchema, timeZoneSchema } from './schedule.js';

export const quorumSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('count'), value: z.number().int().min(1).max(10_000) }),
  z.object({ kind: z.literal('share'), value: z.number().gt(0).max(1) }),
]);
export type Quorum = z.infer<typeof quorumSchema>;

export const majoritySchema = z.enum(['simple', 'two-thirds']);
export type Majority = z.infer<typeof majoritySchema>;

export const MAX_VOTING_PERIOD_HOURS = 90 * 24;

/** Each key validated on its own, so one bad stored value never resets the others. */
export const governanceSettingsShape = {
  /** `conversations` rows where proposals are posted: at most one per Slack workspace / Teams tenant. */
  governanceChannels: z.array(z.uuid()).max(20),
  votingPeriodHours: z.number().int().min(1).max(MAX_VOTING_PERIOD_HOURS),
  quorum: quorumSchema,
  majority: majoritySchema,
  anonymousBallots: z.boolean(),
};

export const governanceSettingsSchema = z.object(governanceSettingsShape);
export type GovernanceSettings = z.infer<typeof governanceSettingsSchema>;

export const DEFAULT_GOVERNANCE_SETTINGS: GovernanceSettings = {
  governanceChannels: [],
  votingPeriodHours: 7 * 24,
  quorum: { kind: 'share', value: 0.5 },
  majority: 'simple',
  anonymousBallots: false,
};

/** The settings an organisation's jsonb holds, with the default for every key that is missing or invalid. */
export function readGovernanceSettings(stored: Record<string, unknown>): GovernanceSettings {
  const pick = <K extends keyof GovernanceSettings>(key: K): GovernanceSettings[K] => {
    const parsed = governanceSettingsShape[key].safeParse(stored[key]);
    return parsed.success ? (parsed.data as GovernanceSettings[K]) : DEFAULT_GOVERNANCE_SETTINGS[key];
  };
  return {
    governanceChannels: pick('governanceChannels'),
    votingPeriodHours: pick('votingPeriodHours'),
    quorum: pick('quorum'),
    majority: pick('majority'),
    anonymousBallots: pick('anonymousBallots'),
  };
}

// What people type. Each parser names what it expected, so the message can be shown as is.

/** `7d`, `36h`, `7 days`, `2 weeks`. */
export const votingPeriodText = z.string().transform((value, ctx) => {
  const match = /^(\d{1,4})\s*(h|hours?|d|days?|w|weeks?)$/i.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `“${value}” is not a voting period: write hours or days, e.g. 48h or 7d` });
    return z.NEVER;
  }
  const unit = match[2]!.toLowerCase()[0];
  const hours = Number(match[1]) * (unit === 'h' ? 1 : unit === 'd' ? 24 : 168);
  if (hours < 1 || hours > MAX_VOTING_PERIOD_HOURS) {
    ctx.addIssue({ code: 'custom', message: `A voting period runs from 1 hour to ${MAX_VOTING_PERIOD_HOURS / 24} days; “${value}” is outside that` });
    return z.NEVER;
  }
  return hours;
});

/** `5` (ballots) or `60%` (of the board). */
export const quorumText = z.string().transform((value, ctx): Quorum => {
  const trimmed = value.trim();
  const share = /^(\d{1,3}(?:\.\d+)?)\s*%$/.exec(trimmed);
  if (share) {
    const percent = Number(share[1]);
    if (percent > 0 && percent <= 100) return { kind: 'share', value: Math.round(percent * 100) / 10_000 };
  } else if (/^\d{1,5}$/.test(trimmed) && Number(trimmed) >= 1 && Number(trimmed) <= 10_000) {
    return { kind: 'count', value: Number(trimmed) };
  }
  ctx.addIssue({ code: 'custom', message: `“${value}” is not a quorum: write a number of ballots (5) or a share of the board (60%)` });
  return z.NEVER;
});

export const majorityText = z.string().transform((value, ctx): Majority => {
  const word = value.trim().toLowerCase();
  if (word === 'simple' || word === 'simple-majority') return 'simple';
  if (word === 'two-thirds' || word === '2/3' || word === 'two_thirds' || word === 'twothirds') return 'two-thirds';
  ctx.addIssue({ code: 'custom', message: `“${value}” is not a majority rule: write simple or two-thirds` });
  return z.NEVER;
});

export const ballotsText = z.string().transform((value, ctx) => {
  const word = value.trim().toLowerCase();
  if (word === 'anonymous' || word === 'secret') return true;
  if (word === 'open' || word === 'named') return false;
  ctx.addIssue({ code: 'custom', message: `“${value}” is not a ballot kind: write open or anonymous` });
  return z.NEVER;
});

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(value);
  } catch {
    return false;
  }
}

export const timeZoneText = z.string().transform((value, ctx) => {
  const zone = value.trim();
  if (isTimeZone(zone)) return zone;
  ctx.addIssue({ code: 'custom', message: `“${value}” is not a time zone: write an IANA name such as Europe/Amsterdam` });
  return z.NEVER;
});

export function describeQuorum(quorum: Quorum): string {
  return quorum.kind === 'count' ? `${counted(quorum.value, 'ballot')}` : `${Math.round(quorum.value * 10_000) / 100}% of the board`;
}

export function describeVotingPeriod(hours: number): string {
  if (hours % 168 === 0) return `${hours / 168} week${hours === 168 ? '' : 's'}`;
  if (hours % 24 === 0) return `${hours / 24} day${hours === 24 ? '' : 's'}`;
  return `${counted(hours, 'hour')}`;
}

export interface SettingsPatch {
  votingPeriodHours?: number;
  quorum?: Quorum;
  majority?: Majority;
  anonymousBallots?: boolean;
  timeZone?: string;
}

export const SETTINGS_USAGE =
  'Usage: `settings` shows them; admins change them with `settings period 7d`, `settings quorum 60%` (or `settings quorum 5`), `settings majority simple|two-thirds`, `settings ballots open|anonymous`, `settings timezone Europe/Amsterdam`, `settings board add|remove @person`.';

export const GOVERNANCE_USAGE = 'Usage: `governance here` (in the channel, admins), `governance off` (in the channel, admins), `governance` to list the channels.';

/** The first message of a failed parse, which our schemas write for the person in chat. */
function parsed<T>(schema: z.ZodType<T>, value: string, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInput(`${result.error.issues[0]?.message ?? `That is not a valid ${what}`}. Nothing was changed.`);
}

/** `settings <key> <value>` as a change of one setting. */
export function settingPatch(key: string, value: string): SettingsPatch {
  if (!value) throw new InvalidInput(`Say what to set ${key} to. ${SETTINGS_USAGE}`);
  switch (key) {
    case 'period':
    case 'voting-period':
    case 'votingperiod':
      return { votingPeriodHours: parsed(votingPeriodText, value, 'voting period') };
    case 'quorum':
      return { quorum: parsed(quorumText, value, 'quorum') };
    case 'majority':
      return { majority: parsed(majorityText, value, 'majority rule') };
    case 'ballots':
    case 'ballot':
      return { anonymousBallots: parsed(ballotsText, value, 'ballot kind') };
    case 'timezone':
    case 'time-zone':
    case 'tz':
      return { timeZone: parsed(timeZoneText, value, 'time zone') };
    default:
      throw new InvalidInput(`Steward has no setting “${key}”. ${SETTINGS_USAGE}`);
  }
}

/** The settings form's values as a change; an empty field leaves its setting as it is. Every problem is named at once. */
export function formPatch(values: Record<string, string>): SettingsPatch {
  const problems: string[] = [];
  const read = <T>(schema: z.ZodType<T>, id: string): T | undefined => {
    const value = values[id];
    if (value === undefined || value.trim() === '') return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(result.error.issues[0]?.message ?? `${id} is not valid`);
    return undefined;
  };
  const patch: SettingsPatch = {};
  const period = read(votingPeriodText, 'period');
  const quorum = read(quorumText, 'quorum');
  const majority = read(majorityText, 'majority');
  const anonymous = read(ballotsText, 'ballots');
  const timeZone = read(timeZoneText, 'timezone');
  if (problems.length) throw new InvalidInput(`${problems.join('. ')}. Nothing was changed.`);
  if (period !== undefined) patch.votingPeriodHours = period;
  if (quorum !== undefined) patch.quorum = quorum;
  if (majority !== undefined) patch.majority = majority;
  if (anonymous !== undefined) patch.anonymousBallots = anonymous;
  if (timeZone !== undefined) patch.timeZone = timeZone;
  return patch;
}

export const SCHEDULE_USAGE =
  'Usage: `schedule` (show), `schedule digest "0 9 * * 1"` (cron: minute hour day month weekday), `schedule timezone Europe/Amsterdam`, `schedule digest off|on`, `schedule reminders 24` (hours before a vote deadline; 0 = off).';

const scheduleChangeSchema = z.discriminatedUnion('what', [
  z.object({ what: z.literal('digest-cron'), value: cronSchema }),
  z.object({ what: z.literal('digest-toggle'), value: z.enum(['on', 'off']) }),
  z.object({ what: z.literal('timezone'), value: timeZoneSchema }),
  z.object({ what: z.literal('reminders'), value: z.coerce.number({ error: 'a number of hours' }).int('a whole number of hours').min(0, 'at least 0').max(168, 'at most 168 (a week)') }),
]);

export type ScheduleChange = z.infer<typeof scheduleChangeSchema>;

/** `schedule digest "0 9 * * 1"`, `schedule digest off`, `schedule timezone …`, `schedule reminders 24`. */
export function scheduleChange(args: string): ScheduleChange {
  const [what = '', ...rest] = args.trim().split(/\s+/);
  const value = rest.join(' ').replace(/^["“”']|["“”']$/g, '').trim();
  const kind = what === 'digest' ? (value === 'on' || value === 'off' ? 'digest-toggle' : 'digest-cron') : what === 'timezone' ? 'timezone' : what === 'reminders' ? 'reminders' : undefined;
  if (!kind || !value) throw new InvalidInput(SCHEDULE_USAGE);
  const result = scheduleChangeSchema.safeParse({ what: kind, value });
  if (!result.success) throw new InvalidInput(`“${value}” is not ${result.error.issues[0]?.message ?? 'valid'}. Nothing was changed.`);
  return result.data;
}
