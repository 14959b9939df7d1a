// `steward settings show|set|channel`: the governance settings from the command line, with the same
// validation as chat. (Board members are the people with the board role: `steward role grant`.)
import { counted } from '../chat/words.js';
import type { Command } from 'commander';
import type { z } from 'zod';
import { CliError, orgOption, creating, resolveOrg, type CliContext } from '../cli-context.js';
import type { DatabaseHandle } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';
import * as orgsRepo from '../orgs/repo.js';
import { channelLabel } from './cards.js';
import { ballotsText, describeQuorum, describeVotingPeriod, majorityText, quorumText, timeZoneText, votingPeriodText } from './schema.js';
import { governanceChannels, loadGovernanceSettings, makeGovernanceChannel, removeGovernanceChannel, updateGovernanceSettings, type SettingsPatch } from './service.js';
import { MAJORITY_LABELS } from './rules.js';

async function printSettings(handle: DatabaseHandle, orgId: string, out: (line: string) => void): Promise<void> {
  const settings = await loadGovernanceSettings(handle.db, orgId);
  const channels = await governanceChannels(handle.db, orgId);
  const board = await orgsRepo.peopleWithRole(handle.db, orgId, 'board');
  out(`Organisation:        ${settings.orgName} (${orgId})`);
  out(`Governance channels: ${channels.length ? channels.map(channelLabel).join(', ') : 'none'}`);
  out(`Board:               ${counted(board.length, 'member')}${board.length ? ` (${board.map((b) => b.display_name).join(', ')})` : ''}; change with steward role grant|revoke --role board`);
  out(`Voting period:       ${describeVotingPeriod(settings.votingPeriodHours)}`);
  out(`Quorum:              ${describeQuorum(settings.quorum)}`);
  out(`Majority:            ${MAJORITY_LABELS[settings.majority]}`);
  out(`Ballots:             ${settings.anonymousBallots ? 'anonymous' : 'open'}`);
  out(`Time zone:           ${settings.timeZone}`);
}

function parse<T>(schema: z.ZodType<T>, value: string | undefined, option: string): T | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new CliError(`${option}: ${result.error.issues[0]?.message ?? 'not valid'}`);
  return result.data;
}

/** The Slack workspace a channel belongs to when --team is not given: the organisation's only one. */
async function onlySlackWorkspace(handle: DatabaseHandle, orgId: string): Promise<string> {
  const slack = await orgsRepo.installationsOf(handle.db, orgId, 'slack');
  if (slack.length !== 1) throw new CliError(`say which Slack workspace with --team (${slack.length ? slack.map((s) => s.external_id).join(', ') : 'none linked yet'})`);
  return slack[0]!.external_id;
}

export function registerGovernanceCommands(program: Command, cli: CliContext): void {
  const { withDatabase, out } = cli;

  const settings = program.command('settings').description('governance settings: governance channels, voting period, quorum, majority, ballots, time zone');
  settings
    .command('show')
    .description('print the settings')
    .addOption(orgOption())
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => printSettings(handle, await resolveOrg(handle, opts.org), out));
    });

  settings
    .command('set')
    .description('change one or more settings; the others stay as they are')
    .option('--voting-period <period>', 'how long a vote runs: 48h, 7d, 2w')
    .option('--quorum <quorum>', 'ballots needed: a number (5) or a share of the board (50%)')
    .option('--majority <rule>', 'simple or two-thirds (of the votes for and against)')
    .option('--ballots <kind>', 'open or anonymous')
    .option('--time-zone <zone>', 'IANA time zone, e.g. Europe/Amsterdam')
    .addOption(orgOption())
    .action(async (opts: { votingPeriod?: string; quorum?: string; majority?: string; ballots?: string; timeZone?: string; org?: string }) => {
      const patch: SettingsPatch = {};
      const period = parse(votingPeriodText, opts.votingPeriod, '--voting-period');
      const quorum = parse(quorumText, opts.quorum, '--quorum');
      const majority = parse(majorityText, opts.majority, '--majority');
      const anonymous = parse(ballotsText, opts.ballots, '--ballots');
      const timeZone = parse(timeZoneText, opts.timeZone, '--time-zone');
      if (period !== undefined) patch.votingPeriodHours = period;
      if (quorum !== undefined) patch.quorum = quorum;
      if (majority !== undefined) patch.majority = majority;
      if (anonymous !== undefined) patch.anonymousBallots = anonymous;
      if (timeZone !== undefined) patch.timeZone = timeZone;
      if (Object.keys(patch).length === 0) throw new CliError('say what to change: --voting-period, --quorum, --majority, --ballots or --time-zone');
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org, creating(cli));
        await updateGovernanceSettings(handle.db, orgId, patch);
        await printSettings(handle, orgId, out);
      });
    });

  settings
    .command('channel')
    .description('make a channel the governance channel of its Slack workspace or Teams tenant (or --remove it)')
    .requiredOption('--platform <platform>', 'slack or teams')
    .requiredOption('--channel <id>', 'Slack channel id (C…), or a Teams channel conversation id Steward already knows (19:…@thread…)')
    .option('--team <id>', 'Slack: the workspace (team) id; default the organisation\'s only Slack workspace')
    .option('--name <name>', 'a label for the channel, e.g. governance')
    .option('--remove', 'stop posting proposals there')
    .addOption(orgOption())
    .action(async (opts: { platform: string; channel: string; team?: string; name?: string; remove?: boolean; org?: string }) => {
      if (opts.platform !== 'slack' && opts.platform !== 'teams') throw new CliError('--platform is slack or teams');
      const platform: Platform = opts.platform;
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org, creating(cli));
        const known = await orgsRepo.findConversation(handle.db, orgId, platform, opts.channel);
        if (opts.remove) {
          const removed = known ? await removeGovernanceChannel(handle.db, orgId, known.id) : false;
          out(removed ? `${opts.channel} is no longer a governance channel.` : `${opts.channel} was not a governance channel.`);
          return;
        }
        if (platform === 'teams' && !known) {
          throw new CliError(`Steward does not know the Teams channel ${opts.channel} yet: add Steward to the team, or type “@Steward governance here” in the channel`);
        }
        const given = known?.installation_external_id ?? opts.team;
        const installation = given ? given : await onlySlackWorkspace(handle, orgId);
        const { replaced } = await makeGovernanceChannel(handle.db, orgId, {
          platform,
          installationExternalId: installation,
          externalId: opts.channel,
          kind: 'channel',
          name: opts.name ?? known?.name ?? null,
        });
        out(`${opts.channel} is now the governance channel (${platform} ${installation})${replaced.length ? `, replacing ${replaced.map(channelLabel).join(', ')}` : ''}.`);
      });
    });
}
