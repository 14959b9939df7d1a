// Governance in chat: `digest preview` and `schedule …` (the rhythm), `governance here|off` (the
// channel where proposals are posted) and `settings …` (the rules boards vote by, and the board).
// Parses, calls the service (which checks who may do what), renders.
import { z } from 'zod';
import { defineAction, type Capability, type ChatContext } from '../chat/capability.js';
import { InvalidInput } from '../chat/errors.js';
import type { Reply } from '../chat/request.js';
import { mentionedPerson } from '../orgs/people.js';
import { digestPreviewCard, governanceChannelCard, governanceChannelsCard, noticeCard, scheduleCard, settingsCard, settingsForm } from './cards.js';
import { previewDigest } from './digest/service.js';
import { GOVERNANCE_USAGE } from './schema.js';
import {
  changeBoard,
  changeSchedule,
  changeSetting,
  chooseGovernanceChannel,
  dropGovernanceChannel,
  governanceChannels,
  saveSettingsForm,
  scheduleInfo,
  settingsForEditing,
  showSettings,
  type GovernanceDeps,
  type GovernancePorts,
} from './service.js';

async function settingsReply(deps: GovernanceDeps, ctx: ChatContext): Promise<Reply> {
  const shown = await showSettings(deps, ctx.actor);
  return { private: settingsCard(shown.settings, shown.channels, shown.board, { canChange: shown.canChange }) };
}

async function boardReply(deps: GovernanceDeps, ctx: ChatContext, verb: string | undefined, who: string | undefined): Promise<Reply> {
  const change = await changeBoard(deps, ctx.actor, verb, who, (token) => mentionedPerson(ctx, token, 'Usage: `settings board add @person`.'));
  const { name, changed } = change;
  const message =
    change.verb === 'add'
      ? changed ? `${name} is now on the board.` : `${name} already was on the board.`
      : changed ? `${name} is no longer on the board.` : `${name} was not on the board.`;
  return { private: noticeCard('Board', message) };
}

async function governanceReply(deps: GovernanceDeps, ctx: ChatContext, verb: string): Promise<Reply> {
  if (verb === '' || verb === 'list' || verb === 'show') return { private: governanceChannelsCard(await governanceChannels(deps.db, ctx.actor.orgId)) };
  if (verb !== 'here' && verb !== 'off') throw new InvalidInput(GOVERNANCE_USAGE);
  const { conversation } = ctx.request;
  const here = { platform: ctx.request.platform, installationExternalId: ctx.request.installationId, externalId: conversation.id, kind: conversation.kind, name: conversation.name ?? null };
  if (verb === 'off') {
    const removed = await dropGovernanceChannel(deps, ctx.actor, here);
    return { private: noticeCard('Governance channel', removed ? 'Steward no longer posts proposals in this channel. Open votes keep their cards here.' : 'This channel was not a governance channel.') };
  }
  const chosen = await chooseGovernanceChannel(deps, ctx.actor, here);
  return { public: governanceChannelCard(chosen.channel, chosen.replaced, chosen.orgName, chosen.posted) };
}

const savePayload = z.object({ action: z.literal('settings.save') }).loose();
const editPayload = z.object({ action: z.literal('settings.edit') });

/** `digest preview` and `schedule`: the rhythm of governance. */
export const governanceCapability: Capability = {
  name: 'governance-rhythm',
  commands: [
    {
      word: 'digest',
      summary: 'the weekly governance digest',
      usage: [{ example: 'preview', description: 'see this week\'s digest now, privately (admins)' }],
      async handle(ctx, args) {
        if (args.trim().toLowerCase() !== 'preview') throw new InvalidInput('Usage: `digest preview` shows the digest now, only to you.');
        const preview = await previewDigest(ctx.services, ctx.actor);
        return { private: digestPreviewCard(preview.card, preview) };
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
        if (args.trim()) await changeSchedule(ctx.services, ctx.actor, args);
        const card = scheduleCard(await scheduleInfo(ctx.services, ctx.actor));
        return { private: args.trim() ? { ...card, title: 'Governance schedule updated' } : card };
      },
    },
  ],
  actions: [],
};

/**
 * `governance here|off` and `settings …`: admins choose the governance channel and the rules boards
 * vote by. `ports` brings what it needs from proposals (which depend on governance, never the reverse).
 */
export function settingsCapability(ports: GovernancePorts): Capability {
  const depsOf = (ctx: ChatContext): GovernanceDeps => ({ ...ctx.services, ...ports });
  return {
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
        handle: (ctx, args) => governanceReply(depsOf(ctx), ctx, args.trim().toLowerCase()),
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
          const deps = depsOf(ctx);
          const [key = '', ...rest] = args.trim().split(/\s+/).filter(Boolean);
          const word = key.toLowerCase();
          if (word === '' || word === 'show') return settingsReply(deps, ctx);
          if (word === 'board') return boardReply(deps, ctx, rest[0]?.toLowerCase(), rest[1]);
          await changeSetting(deps, ctx.actor, word, rest.join(' '));
          return settingsReply(deps, ctx);
        },
      },
    ],
    actions: [
      defineAction({
        action: 'settings.edit',
        schema: editPayload,
        async handle(ctx) {
          return { form: settingsForm(await settingsForEditing(depsOf(ctx), ctx.actor)) };
        },
      }),
      defineAction({
        action: 'settings.save',
        schema: savePayload,
        async handle(ctx, _payload, values) {
          const deps = depsOf(ctx);
          await saveSettingsForm(deps, ctx.actor, values);
          const shown = await settingsReply(deps, ctx);
          return shown.private ? { replace: shown.private } : shown;
        },
      }),
    ],
  };
}
