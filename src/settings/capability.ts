// `governance here|off` and `settings …` in chat: admins choose the governance channel and the rules
// boards vote by; anyone may read them (the rules are part of every proposal card anyway).
import { z } from 'zod';
import { defineAction, type Capability, type ChatContext } from '../chat/capability.js';
import { InvalidInput } from '../chat/errors.js';
import type { Reply } from '../chat/request.js';
import { mentionedPerson } from '../orgs/people.js';
import { postOpenProposals } from '../proposals/service.js';
import * as orgsRepo from '../orgs/repo.js';
import { grantRole, revokeRole } from '../orgs/service.js';
import { hasRole, requireRole } from '../chat/actor.js';
import { governanceChannelCard, governanceChannelsCard, noticeCard, settingsCard, settingsForm } from './cards.js';
import { ballotsText, majorityText, quorumText, timeZoneText, votingPeriodText } from './schema.js';
import { governanceChannels, loadGovernanceSettings, makeGovernanceChannel, removeGovernanceChannel, updateGovernanceSettings, type SettingsPatch } from './service.js';

const SETTINGS_USAGE =
  'Usage: `settings` shows them; admins change them with `settings period 7d`, `settings quorum 60%` (or `settings quorum 5`), `settings majority simple|two-thirds`, `settings ballots open|anonymous`, `settings timezone Europe/Amsterdam`, `settings board add|remove @person`.';

const GOVERNANCE_USAGE = 'Usage: `governance here` (in the channel, admins), `governance off` (in the channel, admins), `governance` to list the channels.';

/** The first message of a failed parse, which our schemas write for the person in chat. */
function parsed<T>(schema: z.ZodType<T>, value: string, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInput(`${result.error.issues[0]?.message ?? `That is not a valid ${what}`}. Nothing was changed.`);
}

async function showSettings(ctx: ChatContext): Promise<Reply> {
  const { db } = ctx.services;
  const orgId = ctx.actor.orgId;
  const [settings, channels, board] = await Promise.all([
    loadGovernanceSettings(db, orgId),
    governanceChannels(db, orgId),
    orgsRepo.peopleWithRole(db, orgId, 'board'),
  ]);
  return { private: settingsCard(settings, channels, board.map((p) => p.display_name), { canChange: hasRole(ctx.actor, 'admin') }) };
}

async function saveSettings(ctx: ChatContext, patch: SettingsPatch): Promise<void> {
  await updateGovernanceSettings(ctx.services.db, ctx.actor.orgId, patch);
  // The weekly digest runs on a cron in the organisation's time zone.
  if (patch.timeZone !== undefined) ctx.services.syncSchedules(ctx.actor.orgId);
}

async function changeSetting(ctx: ChatContext, key: string, value: string): Promise<Reply> {
  requireRole(ctx.actor, 'admin', 'change governance settings');
  if (!value) throw new InvalidInput(`Say what to set ${key} to. ${SETTINGS_USAGE}`);
  let patch: SettingsPatch;
  switch (key) {
    case 'period':
    case 'voting-period':
    case 'votingperiod':
      patch = { votingPeriodHours: parsed(votingPeriodText, value, 'voting period') };
      break;
    case 'quorum':
      patch = { quorum: parsed(quorumText, value, 'quorum') };
      break;
    case 'majority':
      patch = { majority: parsed(majorityText, value, 'majority rule') };
      break;
    case 'ballots':
    case 'ballot':
      patch = { anonymousBallots: parsed(ballotsText, value, 'ballot kind') };
      break;
    case 'timezone':
    case 'time-zone':
    case 'tz':
      patch = { timeZone: parsed(timeZoneText, value, 'time zone') };
      break;
    default:
      throw new InvalidInput(`Steward has no setting “${key}”. ${SETTINGS_USAGE}`);
  }
  await saveSettings(ctx, patch);
  return showSettings(ctx);
}

async function changeBoard(ctx: ChatContext, verb: string | undefined, who: string | undefined): Promise<Reply> {
  requireRole(ctx.actor, 'admin', 'change the board');
  if ((verb !== 'add' && verb !== 'remove') || !who) throw new InvalidInput(`Usage: \`settings board add @person\` or \`settings board remove @person\`.`);
  const person = await mentionedPerson(ctx, who, 'Usage: `settings board add @person`.');
  const options = { orgId: ctx.actor.orgId, role: 'board' as const, byPersonId: ctx.actor.personId, byLabel: ctx.actor.name };
  const changed = verb === 'add' ? await grantRole(ctx.services.db, person.personId, options) : await revokeRole(ctx.services.db, person.personId, options);
  const message =
    verb === 'add'
      ? changed ? `${person.name} is now on the board.` : `${person.name} already was on the board.`
      : changed ? `${person.name} is no longer on the board.` : `${person.name} was not on the board.`;
  return { private: noticeCard('Board', message) };
}

const savePayload = z.object({ action: z.literal('settings.save') }).loose();
const editPayload = z.object({ action: z.literal('settings.edit') });

export const settingsCapability: Capability = {
  name: 'settings',
  commands: [
    {
      word: 'governance',
      summary: 'the channel where proposals are posted and voted on',
      usage: [
        { example: 'here', description: 'make this channel the governance channel (admins)' },
        { example: 'off', description: 'stop posting proposals in this channel (admins)' },
        { example: '', description: 'list the governance channels' },
      ],
      async handle(ctx, args) {
        const verb = args.trim().toLowerCase();
        const { db } = ctx.services;
        const orgId = ctx.actor.orgId;
        if (verb === '' || verb === 'list' || verb === 'show') return { private: governanceChannelsCard(await governanceChannels(db, orgId)) };
        if (verb !== 'here' && verb !== 'off') throw new InvalidInput(GOVERNANCE_USAGE);
        requireRole(ctx.actor, 'admin', 'choose the governance channel');
        const { conversation } = ctx.request;
        if (conversation.kind === 'personal') {
          throw new InvalidInput('Type “governance here” in the channel that should become the governance channel, not in a direct message. Nothing was changed.');
        }
        if (verb === 'off') {
          const known = await governanceChannels(db, orgId);
          const match = known.find((c) => c.platform === ctx.request.platform && c.externalId === conversation.id);
          const removed = match ? await removeGovernanceChannel(db, orgId, match.conversationId) : false;
          return { private: noticeCard('Governance channel', removed ? 'Steward no longer posts proposals in this channel. Open votes keep their cards here.' : 'This channel was not a governance channel.') };
        }
        const channel = {
          platform: ctx.request.platform,
          installationExternalId: ctx.request.installationId,
          externalId: conversation.id,
          kind: conversation.kind,
          name: conversation.name ?? null,
        };
        const { conversationId, replaced } = await makeGovernanceChannel(db, orgId, channel);
        const posted = await postOpenProposals(ctx.services, orgId, conversationId);
        const settings = await loadGovernanceSettings(db, orgId);
        return { public: governanceChannelCard({ conversationId, ...channel }, replaced, settings.orgName, posted) };
      },
    },
    {
      word: 'settings',
      summary: 'governance settings: voting period, quorum, majority, ballots, time zone, board',
      usage: [
        { example: '', description: 'show the settings' },
        { example: 'quorum 60%', description: 'change one (admins): period, quorum, majority, ballots, timezone' },
        { example: 'board add @person', description: 'add or remove a board member (admins)' },
      ],
      async handle(ctx, args) {
        const [key = '', ...rest] = args.trim().split(/\s+/).filter(Boolean);
        const word = key.toLowerCase();
        if (word === '' || word === 'show') return showSettings(ctx);
        if (word === 'board') return changeBoard(ctx, rest[0]?.toLowerCase(), rest[1]);
        return changeSetting(ctx, word, rest.join(' '));
      },
    },
  ],
  actions: [
    defineAction({
      action: 'settings.edit',
      schema: editPayload,
      async handle(ctx) {
        requireRole(ctx.actor, 'admin', 'change governance settings');
        return { form: settingsForm(await loadGovernanceSettings(ctx.services.db, ctx.actor.orgId)) };
      },
    }),
    defineAction({
      action: 'settings.save',
      schema: savePayload,
      async handle(ctx, _payload, values) {
        requireRole(ctx.actor, 'admin', 'change governance settings');
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
        await saveSettings(ctx, patch);
        const shown = await showSettings(ctx);
        return shown.private ? { replace: shown.private } : shown;
      },
    }),
  ],
};
