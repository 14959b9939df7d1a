// `steward import journeys FILE` and `steward export journeys`: the journey tree as CSV.
import { CliError, notImported, organisationToImportInto, orgOption, readInput, resolveOrg, type CliContext } from '../cli-context.js';
import { exportJourneys, formatImportReport, importJourneys } from './csv.js';

export function registerJourneyCommands(cli: CliContext): void {
  const { out, withDatabase } = cli;
  cli.imports
    .command('journeys <file>')
    .description('import the journey tree (CSV header key,name,level,parent,owner,description; owner an e-mail)')
    .option('--dry-run', 'check the file and report what would change; change nothing')
    .addOption(orgOption('organisation id or name (default: the only one, created on an empty database)'))
    .action(async (file: string, opts: { dryRun?: boolean; org?: string }) => {
      const text = readInput(file);
      await withDatabase(async (handle) => {
        const orgId = await organisationToImportInto(handle, cli, opts);
        const report = await importJourneys(handle.db, orgId, text, { dryRun: opts.dryRun ?? false, now: new Date(), byLabel: 'cli' });
        for (const line of formatImportReport(report)) out(line);
        if (!report.ok) throw new CliError(notImported(file));
      });
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
