// What every capability's `steward` commands share: the loaded config, where output goes, a migrated
// database per command, the organisation an --org names, and the error printed without a stack trace.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { ERROR_CODES } from './errors.js';
import * as orgsRepo from './orgs/repo.js';

/** A problem the user can fix; printed without a stack trace. */
export class CliError extends Error {
  readonly code = ERROR_CODES.cliProblem;
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliContext {
  readonly config: Config;
  out(line: string): void;
  /** Opens the configured database, migrates it, runs the work and closes it again. */
  withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T>;
  /** The shared `steward import …` group; each capability adds its own subcommand. */
  readonly imports: Command;
  /** The shared `steward export …` group. */
  readonly exports: Command;
}

/** The `import` and `export` groups take the program's settings (exitOverride, help after an error) but are added to it by the caller, where `--help` should list them. */
export function createCliContext(program: Command, config: Config, out: (line: string) => void): CliContext {
  const group = (name: string, description: string) => new Command(name).description(description).copyInheritedSettings(program);
  return {
    config,
    out,
    async withDatabase(work) {
      const handle = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        await migrateToLatest(handle.db);
        return await work(handle);
      } finally {
        await handle.close();
      }
    },
    imports: group('import', 'load data from CSV files (all-or-nothing, with a report per row), in this order: journeys, then kpis, then kpi-values; the glossary any time'),
    exports: group('export', 'write data as CSV to standard output'),
  };
}

/** The organisation named by --org (id or name), or the only one there is. */
/**
 * The organisation named by --org (id or name), or the only one there is. Commands that set
 * Steward up (imports, role grants, tokens, settings) pass `create` and make the organisation on a
 * fresh database, all in the same way; commands that only read say there is nothing yet.
 */
export async function resolveOrg(handle: DatabaseHandle, org: string | undefined, options: { create?: { name: string; out(line: string): void } } = {}): Promise<string> {
  const orgs = await orgsRepo.listOrganisations(handle.db);
  if (org) {
    const found = orgs.find((o) => o.id === org || o.name.toLowerCase() === org.toLowerCase());
    if (!found) throw new CliError(`No organisation “${org}”. Known: ${orgs.map((o) => `${o.name} (${o.id})`).join(', ') || 'none'}`);
    return found.id;
  }
  if (orgs.length === 1 && orgs[0]) return orgs[0].id;
  if (orgs.length === 0) {
    if (options.create) {
      const created = await orgsRepo.createOrganisation(handle.db, options.create.name);
      options.create.out(`Created the organisation “${created.name}” (set STEWARD_ORG_NAME to name it otherwise); Slack and Teams join it when they first talk to Steward.`);
      return created.id;
    }
    throw new CliError(
      'There is no organisation yet, so there is nothing here. Steward creates it with your first import (`steward import journeys|glossary <file>`), `steward role grant` or `steward token create`, or when Slack or Teams first talks to it.',
    );
  }
  throw new CliError(`There are ${orgs.length} organisations; say which with --org (${orgs.map((o) => o.name).join(', ')}).`);
}

/**
 * The organisation an import writes into: created on a fresh database, like every setup command;
 * a dry run there checks the file against nothing and creates nothing (an id no row has).
 */
export async function organisationToImportInto(handle: DatabaseHandle, cli: CliContext, opts: { org?: string | undefined; dryRun?: boolean | undefined }): Promise<string> {
  const fresh = opts.dryRun && !opts.org && (await orgsRepo.listOrganisations(handle.db)).length === 0;
  return fresh ? randomUUID() : resolveOrg(handle, opts.org, creating(cli));
}

/** What `resolveOrg` needs to create the organisation on a fresh database. */
export function creating(cli: CliContext): { create: { name: string; out(line: string): void } } {
  return { create: { name: cli.config.STEWARD_ORG_NAME, out: (line) => cli.out(line) } };
}

export function orgOption(description = 'organisation id or name (default: the only one)'): Option {
  return new Option('--org <org>', description);
}

/** The text of a file named on the command line, or a CliError saying why it cannot be read. */
export function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function notImported(file: string, what = 'lines'): string {
  return `${file} was not imported; fix the ${what} above and run it again`;
}

/** What an import says and whether it stored anything (all or nothing). */
export interface ImportOutcome {
  lines: string[];
  ok: boolean;
}

/**
 * `steward import <name> <file> [--dry-run] [--org]`: every import reads the file, finds (or on a
 * fresh database creates) the organisation, prints its report and fails when nothing was imported.
 */
export function addImportCommand(
  cli: CliContext,
  spec: { name: string; description: string; problemsAre?: string; run(db: DatabaseHandle['db'], orgId: string, text: string, dryRun: boolean): Promise<ImportOutcome> },
): void {
  cli.imports
    .command(`${spec.name} <file>`)
    .description(spec.description)
    .option('--dry-run', 'check the file and report what would change; change nothing')
    .addOption(orgOption('organisation id or name (default: the only one, created on an empty database)'))
    .action(async (file: string, opts: { dryRun?: boolean; org?: string }) => {
      const text = readInput(file);
      await cli.withDatabase(async (handle) => {
        const orgId = await organisationToImportInto(handle, cli, opts);
        const outcome = await spec.run(handle.db, orgId, text, opts.dryRun ?? false);
        for (const line of outcome.lines) cli.out(line);
        if (!outcome.ok) throw new CliError(notImported(file, spec.problemsAre));
      });
    });
}
