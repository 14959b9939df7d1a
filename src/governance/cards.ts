// The neutral messages of governance: the settings card and its form, the channel notices, the
// schedule, and the reminder to vote. (The digest's own card is in digest/card.ts.)
import type { ScheduleInfo } from './service.js';
import { counted } from '../chat/words.js';
import { actions, bold, code, context, fields, para, text, type Block, type Card, type Form, type RichText } from '../chat/card.js';
import { truncate } from '../chat/limits.js';
import { MAJORITY_LABELS, quorumRequired } from './rules.js';
import { describeCron, describeSlot } from './schedule.js';
import type { GovernanceChannel, OrgGovernance } from './service.js';
import { describeQuorum, describeVotingPeriod } from './schema.js';

const PLATFORM_LABELS = { slack: 'Slack', teams: 'Teams' } as const;

export function channelLabel(channel: Pick<GovernanceChannel, 'platform' | 'name' | 'externalId'>): string {
  const name = channel.name ? (channel.platform === 'slack' ? `#${channel.name}` : channel.name) : channel.externalId;
  return `${truncate(name, 80)} (${PLATFORM_LABELS[channel.platform]})`;
}

function namesLine(names: string[], max: number): string {
  if (names.length === 0) return 'nobody yet';
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

export function settingsCard(settings: OrgGovernance, channels: GovernanceChannel[], board: string[], options: { canChange: boolean }): Card {
  const required = quorumRequired(settings.quorum, board.length);
  const blocks: Block[] = [
    fields(
      ['Governance channels', channels.length ? channels.map(channelLabel).join(', ') : 'none yet: an admin types “governance here” in the channel'],
      ['Board', `${counted(board.length, 'member')}: ${namesLine(board, 12)}`],
      ['Voting period', describeVotingPeriod(settings.votingPeriodHours)],
      ['Quorum', `${describeQuorum(settings.quorum)} (${required} of ${board.length} today)`],
      ['Majority', MAJORITY_LABELS[settings.majority]],
      ['Ballots', settings.anonymousBallots ? 'anonymous: only totals are ever shown' : 'open: proposal show names who voted what'],
      ['Time zone', settings.timeZone],
    ),
    context(
      'Admins change them with ',
      code('settings period 7d'),
      ', ',
      code('settings quorum 60%'),
      ' (or a number of ballots), ',
      code('settings majority two-thirds'),
      ', ',
      code('settings ballots anonymous'),
      ', ',
      code('settings timezone Europe/Paris'),
      ', ',
      code('settings board add @person'),
      '. New proposals use the settings of the moment they open.',
    ),
  ];
  if (options.canChange) blocks.push(actions({ label: 'Change settings', payload: { action: 'settings.edit' } }));
  return {
    title: 'Governance settings',
    subtitle: [text(settings.orgName)],
    blocks,
    summary: `Governance settings: voting period ${describeVotingPeriod(settings.votingPeriodHours)}, quorum ${describeQuorum(settings.quorum)}, ${MAJORITY_LABELS[settings.majority]}, ${settings.anonymousBallots ? 'anonymous' : 'open'} ballots`,
  };
}

function periodInput(hours: number): string {
  return hours % 24 === 0 ? `${hours / 24}d` : `${hours}h`;
}

function quorumInput(settings: OrgGovernance): string {
  return settings.quorum.kind === 'count' ? String(settings.quorum.value) : `${Math.round(settings.quorum.value * 10_000) / 100}%`;
}

export function settingsForm(settings: OrgGovernance): Form {
  return {
    title: 'Governance settings',
    intro: [text('New proposals use these settings from the moment they open; open votes keep the rule they started with.')],
    inputs: [
      { kind: 'text', id: 'period', label: 'Voting period (e.g. 7d or 48h)', initial: periodInput(settings.votingPeriodHours), maxLength: 20 },
      { kind: 'text', id: 'quorum', label: 'Quorum: ballots (5) or share of the board (50%)', initial: quorumInput(settings), maxLength: 20 },
      {
        kind: 'select',
        id: 'majority',
        label: 'Majority',
        options: [
          { label: 'Simple majority of votes cast', value: 'simple' },
          { label: 'Two-thirds majority of votes cast', value: 'two-thirds' },
        ],
        initial: settings.majority,
      },
      {
        kind: 'select',
        id: 'ballots',
        label: 'Ballots',
        options: [
          { label: 'Open (names shown)', value: 'open' },
          { label: 'Anonymous (totals only)', value: 'anonymous' },
        ],
        initial: settings.anonymousBallots ? 'anonymous' : 'open',
      },
      { kind: 'text', id: 'timezone', label: 'Time zone (IANA, e.g. Europe/Amsterdam)', initial: settings.timeZone, maxLength: 64 },
    ],
    submitLabel: 'Save',
    payload: { action: 'settings.save' },
  };
}

export function governanceChannelCard(channel: GovernanceChannel, replaced: GovernanceChannel[], orgName: string, openPosted: number): Card {
  const blocks: Block[] = [
    para('Steward posts ', bold('improvement proposals'), ' for ', text(orgName), ' here. Board members vote on each card; the decision is announced in its thread.'),
    ...(openPosted ? [para(`The ${openPosted === 1 ? 'proposal' : `${openPosted} proposals`} open for votes right now follow${openPosted === 1 ? 's' : ''} below.`)] : []),
    context('Anyone can propose with ', code('proposal new'), '. Admins see the rules with ', code('settings'), '.'),
  ];
  if (replaced.length) blocks.push(context(`Replaces ${replaced.map(channelLabel).join(', ')} as the governance channel of this ${channel.platform === 'slack' ? 'workspace' : 'tenant'}.`));
  return { title: 'This is now the governance channel', blocks, summary: `${channelLabel(channel)} is now the governance channel: proposals are posted here for the board to vote on.` };
}

export function governanceChannelsCard(channels: GovernanceChannel[]): Card {
  const items: RichText[] = channels.map((c) => [text(channelLabel(c))]);
  const blocks: Block[] = items.length
    ? [{ kind: 'list', items }]
    : [para('There is no governance channel yet. An admin makes one by typing ', code('governance here'), ' in it (Slack: ', code('/cx governance here'), '; Teams: @Steward governance here).')];
  return { title: 'Governance channels', blocks, summary: items.length ? `Governance channels: ${channels.map(channelLabel).join(', ')}` : 'There is no governance channel yet.' };
}

export function noticeCard(title: string, message: string): Card {
  return { title, blocks: [para(message)], summary: message };
}


export function scheduleCard(info: ScheduleInfo): Card {
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

export function reminderCard(proposal: { id: string; number: number; title: string; deadline: Date }, timeZone: string): Card {
  const when = describeSlot(proposal.deadline, timeZone);
  return {
    title: `Your vote on proposal #${proposal.number} is still open`,
    blocks: [
      fields(['Proposal', `#${proposal.number} ${proposal.title}`], ['Voting closes', when]),
      para(text('You have not voted yet. Vote on the card in the governance channel, or here:')),
      // The same buttons as the channel card: the vote handler checks membership and the deadline.
      actions(
        { label: 'Approve', style: 'primary', payload: { action: 'proposal.vote', p: proposal.id, c: 'approve' } },
        { label: 'Reject', style: 'danger', payload: { action: 'proposal.vote', p: proposal.id, c: 'reject' } },
        { label: 'Abstain', payload: { action: 'proposal.vote', p: proposal.id, c: 'abstain' } },
      ),
    ],
    summary: `Reminder: proposal #${proposal.number} “${proposal.title}” closes ${when} and you have not voted.`,
  };
}

export function digestPreviewCard(digest: Card, info: { next: Date | undefined; last: Date; timeZone: string }): Card {
  const next = info.next ? describeSlot(info.next, info.timeZone) : 'never (the digest is off)';
  return {
    ...digest,
    title: `Preview: ${digest.title}`,
    blocks: [...digest.blocks, { kind: 'context', text: [text(`Next posted: ${next}. Last period: ${describeSlot(info.last, info.timeZone)}.`)] }],
  };
}
