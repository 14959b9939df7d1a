// `steward import glossary FILE` and `steward export glossary`: the glossary as CSV.
import { CliError, notImported, organisationToImportInto, orgOption, readInput, resolveOrg, type CliContext } from '../cli-context.js';
import { describeReport, exportGlossaryCsv, importGlossaryCsv } from './csv.js';

export function registerGlossaryCommands(cli: CliContext): void {
  const { out, withDatabase } = cli;
  cli.imports
    .command('glossary <file>')
    .description('import glossary terms (CSV header term,aliases,definition,notes,steward,status; aliases ;-separated; steward an e-mail)')
    .option('--dry-run', 'check the file and report what would change; change nothing')
    .addOption(orgOption('organisation id or name (default: the only one, created on an empty database)'))
    .action(async (file: string, opts: { dryRun?: boolean; org?: string }) => {
      const text = readInput(file);
      await withDatabase(async (handle) => {
        const orgId = await organisationToImportInto(handle, cli, opts);
        const report = await importGlossaryCsv(handle.db, orgId, text, { dryRun: opts.dryRun ?? false, by: 'import', now: new Date() });
        for (const line of describeReport(report)) out(line);
        if (report.problems.length) throw new CliError(notImported(file, 'rows'));
      });
    });
  cli.exports
    .command('glossary')
    .description('the glossary as CSV, in the format `import glossary` reads (formula-like cells neutralised)')
    .addOption(orgOption())
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        out((await exportGlossaryCsv(handle.db, orgId)).trimEnd());
      });
    });
}
