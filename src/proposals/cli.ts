// `steward export decisions`: the governance record as CSV (tallies and rules, never who voted what).
import { orgOption, resolveOrg, type CliContext } from '../cli-context.js';
import { decisionsCsv } from './export.js';

export function registerProposalCommands(cli: CliContext): void {
  const { out, withDatabase } = cli;
  cli.exports
    .command('decisions')
    .description('proposal decisions with their tallies and rules, for the governance record (never who voted what)')
    .addOption(orgOption())
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const { csv } = await decisionsCsv(handle.db, await resolveOrg(handle, opts.org));
        out(csv.trimEnd());
      });
    });
}
