// `steward people check`: every owner, deputy, steward, board member and admin, with whether Steward
// can reach them on each platform the organisation uses and, when not, why.
import type { Command } from 'commander';
import { orgOption, resolveOrg, type CliContext } from '../cli-context.js';
import { systemClock } from '../clock.js';
import type { Platform } from '../db/foundation-tables.js';
import { counted } from '../chat/words.js';
import { checkPeople, type PeopleCheck, type Reachability } from './check.js';
import { Reach, type SlackDirectory } from './resolver.js';

const NAMES: Record<Platform, string> = { slack: 'Slack', teams: 'Teams' };

function said(reach: Reachability | undefined): string {
  if (!reach || reach.status === 'not-checked') return 'not checked yet (set SLACK_BOT_TOKEN for this command to look people up by e-mail)';
  return reach.status === 'reachable' ? 'reachable' : `NOT reachable: ${reach.reason}`;
}

export function peopleCheckLines(check: PeopleCheck): string[] {
  if (check.platforms.length === 0) {
    return ['No Slack workspace or Teams tenant has talked to Steward yet for this organisation, so nobody can be reached. Install the app (see the README), then run this again.'];
  }
  const unreachable = check.people.filter((p) => check.platforms.every((platform) => p.platforms[platform]?.status === 'unreachable'));
  const lines = [
    `${counted(check.people.length, 'accountable person', 'accountable people')} on ${check.platforms.map((p) => NAMES[p]).join(' and ')}; ${counted(unreachable.length, 'cannot', 'cannot')} be reached anywhere.`,
  ];
  for (const person of check.people) {
    lines.push(`${person.name}${person.email ? ` <${person.email}>` : ''} (${person.why})`);
    for (const platform of check.platforms) lines.push(`  ${NAMES[platform]}: ${said(person.platforms[platform])}`);
  }
  return lines;
}

export function registerPeopleCommands(program: Command, cli: CliContext, slackDirectory: () => SlackDirectory | undefined): void {
  const people = program.command('people').description('the people Steward must reach');
  people
    .command('check')
    .description('list every owner, deputy, steward, board member and admin with whether Steward can reach them on Slack and Teams, and why not (looks people up by e-mail on Slack; Teams from the rosters Steward has read)')
    .addOption(orgOption())
    .action(async (opts: { org?: string }) => {
      await cli.withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        const slack = slackDirectory();
        const reach = new Reach({ db: handle.db, clock: systemClock, platforms: [...(slack ? (['slack'] as const) : []), 'teams'], slack });
        for (const line of peopleCheckLines(await checkPeople(handle.db, orgId, reach))) cli.out(line);
      });
    });
}
