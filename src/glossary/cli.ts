// `steward import glossary FILE` and `steward export glossary`: the glossary as CSV.
import { randomUUID } from 'node:crypto';
import { CliError, notImported, orgOption, readInput, resolveOrg, type CliContext } from '../cli-context.js';
import * as orgsRepo from '../orgs/repo.js';
import { describeReport, exportGlossaryCsv, importGlossaryCsv } from './csv.js';

export function registerGlossaryCommands(cli: CliContext): void {
  const { out, withDatabase, config } = cli;
  cli.imports
    .command('glossary <file>')
    .description('import glossary terms (CSV header term,aliases,definition,notes,steward,status; aliases ;-separated; steward an e-mail)')
    .option('--dry-run', 'check the file and report what would change; change nothing')
    .addOption(orgOption('organisation id or name (default: the only one, created on an empty database)'))
    .action(async (file: string, opts: { dryRun?: boolean; org?: string }) => {
      const text = readInput(file);
      await withDatabase(async (handle) => {
        // A dry run on an empty database checks the file against an empty glossary and creates nothing.
        const empty = opts.dryRun && !opts.org && (await orgsRepo.listOrganisations(handle.db)).length === 0;
        const orgId = empty ? randomUUID() : await resolveOrg(handle, opts.org, { createIfEmpty: config.STEWARD_ORG_NAME });
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
