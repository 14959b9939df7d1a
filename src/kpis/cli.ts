// `steward import kpis FILE` and `steward import kpi-values FILE`: KPI definitions and values as CSV.
import { CliError, notImported, orgOption, readInput, creating, resolveOrg, type CliContext } from '../cli-context.js';
import { formatKpiImportReport, importKpiDefinitions, importKpiValues } from './import.js';

export function registerKpiCommands(cli: CliContext): void {
  const { out, withDatabase } = cli;
  cli.imports
    .command('kpis <file>')
    .description('import KPI definitions (CSV header key,journey,name,unit,direction,target,warning,breach,cadence,glossary_term[,breach_periods,remind_every_periods])')
    .addOption(orgOption())
    .action(async (file: string, opts: { org?: string }) => {
      const text = readInput(file);
      await withDatabase(async (handle) => {
        const outcome = await importKpiDefinitions(handle.db, await resolveOrg(handle, opts.org, creating(cli)), text);
        for (const line of formatKpiImportReport(file, outcome)) out(line);
        if (!outcome.ok) throw new CliError(notImported(file));
      });
    });
  cli.imports
    .command('kpi-values <file>')
    .description('import KPI values (CSV header kpi,period_start,segment,value[,source]); a value for a period already there replaces it (kept in history)')
    .addOption(orgOption())
    .option('--no-alerts', 'a backfill of history: raise no alert about these periods')
    .action(async (file: string, opts: { org?: string; alerts: boolean }) => {
      const text = readInput(file);
      await withDatabase(async (handle) => {
        const source = `csv:${file.split('/').pop() ?? file}`.slice(0, 200);
        const outcome = await importKpiValues(handle.db, await resolveOrg(handle, opts.org, creating(cli)), text, { source, now: new Date(), alerts: opts.alerts });
        for (const line of formatKpiImportReport(file, outcome)) out(line);
        if (!outcome.ok) throw new CliError(notImported(file));
      });
    });
}
