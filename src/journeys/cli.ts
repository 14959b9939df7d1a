// `steward import journeys FILE` and `steward export journeys`: the journey tree as CSV.
import { addImportCommand, orgOption, resolveOrg, type CliContext } from '../cli-context.js';
import { exportJourneys, formatImportReport, importJourneys } from './csv.js';

export function registerJourneyCommands(cli: CliContext): void {
  const { out, withDatabase } = cli;
  addImportCommand(cli, {
    name: 'journeys',
    description: 'import the journey tree (CSV header key,name,level,parent,owner,description; owner an e-mail)',
    async run(db, orgId, text, dryRun) {
      const report = await importJourneys(db, orgId, text, { dryRun, now: new Date(), byLabel: 'cli' });
      return { lines: formatImportReport(report), ok: report.ok };
    },
  });
  cli.exports
    .command('journeys')
    .description('the journey tree as CSV, in the format `import journeys` reads')
    .addOption(orgOption())
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        const { csv, ownersWithoutEmail } = await exportJourneys(handle.db, orgId);
        out(csv.trimEnd());
        if (ownersWithoutEmail.length) {
          process.stderr.write(`steward: these owners have no e-mail, so their cells are empty (an import would clear them): ${ownersWithoutEmail.join('; ')}\n`);
        }
      });
    });
}
