// `steward seed demo`: the demo organisation, for trying Steward out.
import type { Command } from 'commander';
import { resolveOrg, type CliContext } from '../cli-context.js';
import { seedDemo } from './demo.js';

export function registerSeedCommands(program: Command, cli: CliContext): void {
  const { out, withDatabase } = cli;
  const seed = program.command('seed').description('load demo data');
  seed
    .command('demo')
    .description('load the demo organisation (people, roles, glossary, journeys, KPIs)')
    .option('--org <org>', 'load into this existing organisation instead of creating one')
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = opts.org ? await resolveOrg(handle, opts.org) : undefined;
        const result = await seedDemo(handle.db, { orgName: 'Demo organisation', ...(orgId ? { orgId } : {}) });
        out(`Demo organisation ${result.orgId}: ${result.people} people.`);
      });
    });
}
