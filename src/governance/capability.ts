// `digest preview` (admins see the digest now, privately) and `schedule` (show; admins change it).
import { z } from 'zod';
import type { Capability } from '../chat/capability.js';
import { code, fields, para, text, type Card } from '../chat/card.js';
import { InvalidInput } from '../chat/errors.js';
import { requireRole } from '../chat/actor.js';
import { governanceConversationIds } from './channels.js';
import { buildDigest } from './service.js';
import { cronSchema, describeCron, describeSlot, latestSlot, nextSlots, readScheduleSettings, timeZoneSchema } from './schedule.js';
import { sql } from 'kysely';

const SCHEDULE_USAGE =
  'Usage: `schedule` (show), `schedule digest "0 9 * * 1"` (cron: minute hour day month weekday), `schedule timezone Europe/Amsterdam`, `schedule digest off|on`, `schedule reminders 24` (hours before a vote deadline; 0 = off).';

function scheduleCard(info: { enabled: boolean; cron: string; timeZone: string; reminderHours: number; next: Date[]; channels: number }): Card {
  return {
    title: 'Governance schedule',
    blocks: [
      fields(
        ['Weekly digest', info.enabled ? `${describeCron(info.cron)} (${info.cron})` : 'off'],
        ['Time zone', info.timeZone],
        ['Next digests', info.enabled ? info.next.map((d) => describeSlot(d, info.timeZone)).join('\n') : '—'],
        ['Vote reminders', info.reminderHours > 0 ? `${info.reminderHours} h before a deadline` : 'off'],
        ['Governance channels', info.channels > 0 ? String(info.channels) : 'none yet — an admin types `governance here` in one'],
      ),
      para(text('Admins change it: '), code('schedule digest "0 9 * * 1"'), text(', '), code('schedule timezone Europe/London'), text(', '), code('schedule reminders 24')),
    ],
    summary: info.enabled ? `Digest ${describeCron(info.cron)} ${info.timeZone}` : 'Digest off',
  };
}

const changeSchema = z.discriminatedUnion('what', [
  z.object({ what: z.literal('digest-cron'), value: cronSchema }),
  z.object({ what: z.literal('digest-toggle'), value: z.enum(['on', 'off']) }),
  z.object({ what: z.literal('timezone'), value: timeZoneSchema }),
  z.object({ what: z.literal('reminders'), value: z.coerce.number({ error: 'a number of hours' }).int('a whole number of hours').min(0, 'at least 0').max(168, 'at most 168 (a week)') }),
]);

function parseChange(args: string) {
  const [what = '', ...rest] = args.trim().split(/\s+/);
  const value = rest.join(' ').replace(/^["“”']|["“”']$/g, '').trim();
  const kind = what === 'digest' ? (value === 'on' || value === 'off' ? 'digest-toggle' : 'digest-cron') : what === 'timezone' ? 'timezone' : what === 'reminders' ? 'reminders' : undefined;
  if (!kind || !value) throw new InvalidInput(SCHEDULE_USAGE);
  const parsed = changeSchema.safeParse({ what: kind, value });
  if (!parsed.success) throw new InvalidInput(`“${value}” is not ${parsed.error.issues[0]?.message ?? 'valid'}. Nothing was changed.`);
  return parsed.data;
}

export const governanceCapability: Capability = {
  name: 'governance-rhythm',
  commands: [
    {
      word: 'digest',
      summary: 'the weekly governance digest',
      usage: [{ example: 'preview', description: 'see this week\'s digest now, privately (admins)' }],
      async handle(ctx, args) {
        if (args.trim().toLowerCase() !== 'preview') throw new InvalidInput('Usage: `digest preview` shows the digest now, only to you.');
        requireRole(ctx.actor, 'admin', 'preview the digest');
        const now = ctx.services.clock.now();
        const org = await ctx.services.db.selectFrom('organisations').select(['time_zone', 'settings']).where('id', '=', ctx.actor.orgId).executeTakeFirstOrThrow();
        const schedule = readScheduleSettings(org.settings);
        const card = await buildDigest({ db: ctx.services.db }, ctx.actor.orgId, now);
        const next = schedule.digestEnabled ? describeSlot(nextSlots(schedule.digestCron, org.time_zone, now, 1)[0] ?? now, org.time_zone) : 'never (the digest is off)';
        return { private: { ...card, title: `Preview: ${card.title}`, blocks: [...card.blocks, { kind: 'context', text: [text(`Next posted: ${next}. Last period: ${describeSlot(latestSlot(schedule.digestCron, org.time_zone, now), org.time_zone)}.`)] }] } };
      },
    },
    {
      word: 'schedule',
      summary: 'when the digest and reminders run',
      usage: [
        { example: '', description: 'show the schedule' },
        { example: 'digest "0 9 * * 1"', description: 'digest every Monday 09:00 (admins)' },
        { example: 'timezone Europe/Amsterdam', description: 'the organisation\'s time zone (admins)' },
      ],
      async handle(ctx, args) {
        const { db, clock } = ctx.services;
        if (args.trim()) {
          requireRole(ctx.actor, 'admin', 'change the schedule');
          const change = parseChange(args);
          if (change.what === 'timezone') {
            await db.updateTable('organisations').set({ time_zone: change.value }).where('id', '=', ctx.actor.orgId).execute();
          } else {
            const org = await db.selectFrom('organisations').select('settings').where('id', '=', ctx.actor.orgId).executeTakeFirstOrThrow();
            const current = readScheduleSettings(org.settings);
            const next = {
              ...current,
              ...(change.what === 'digest-cron' ? { digestCron: change.value, digestEnabled: true } : {}),
              ...(change.what === 'digest-toggle' ? { digestEnabled: change.value === 'on' } : {}),
              ...(change.what === 'reminders' ? { voteReminderHours: change.value } : {}),
            };
            // Merge into settings so other capabilities' keys stay untouched.
            await db
              .updateTable('organisations')
              .set({ settings: sql`settings || ${JSON.stringify({ governanceSchedule: next })}::jsonb` })
              .where('id', '=', ctx.actor.orgId)
              .execute();
          }
          ctx.services.syncSchedules(ctx.actor.orgId);
        }
        const org = await db.selectFrom('organisations').select(['time_zone', 'settings']).where('id', '=', ctx.actor.orgId).executeTakeFirstOrThrow();
        const schedule = readScheduleSettings(org.settings);
        const card = scheduleCard({
          enabled: schedule.digestEnabled,
          cron: schedule.digestCron,
          timeZone: org.time_zone,
          reminderHours: schedule.voteReminderHours,
          next: nextSlots(schedule.digestCron, org.time_zone, clock.now(), 3),
          channels: (await governanceConversationIds(db, ctx.actor.orgId)).length,
        });
        return { private: args.trim() ? { ...card, title: 'Governance schedule updated' } : card };
      },
    },
  ],
  actions: [],
};
