// `steward import glossary FILE` and `steward export glossary`: the glossary as CSV.
import { addImportCommand, orgOption, resolveOrg, type CliContext } from '../cli-context.js';
import { describeReport, exportGlossaryCsv, importGlossaryCsv } from './csv.js';

export function registerGlossaryCommands(cli: CliContext): void {
  const { out, withDatabase } = cli;
  addImportCommand(cli, {
    name: 'glossary',
    description: 'import glossary terms (CSV header term,aliases,definition,notes,steward,status; aliases ;-separated; steward an e-mail)',
    problemsAre: 'rows',
    async run(db, orgId, text, dryRun) {
      const report = await importGlossaryCsv(db, orgId, text, { dryRun, by: 'import', now: new Date() });
      return { lines: describeReport(report), ok: report.problems.length === 0 };
    },
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
