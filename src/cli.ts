// The `steward` command line: run the service, migrate, manage roles and installations, seed.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadConfig, ConfigError, type Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { Platform, Role } from './db/foundation-tables.js';
import * as orgsRepo from './orgs/repo.js';
import { grantRole, personForEmail, revokeRole } from './orgs/service.js';
import { roleChangeMessage, ROLE_LABELS } from './chat/actor.js';
import { seedDemo } from './seed/demo.js';
import { exportJourneys, formatImportReport, importJourneys } from './journeys/csv.js';
import { describeReport as describeGlossaryImport, exportGlossaryCsv, importGlossaryCsv } from './glossary/csv.js';
import { formatKpiImportReport, importKpiDefinitions, importKpiValues } from './kpis/import.js';
import { createToken, listTokens, revokeToken, TokenError } from './tokens/service.js';
import { decisionsCsv } from './proposals/export.js';
import { addSettingsCommands } from './settings/cli.js';

/** A problem the user can fix; printed without a stack trace. */
export class CliError extends Error {}

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const cfg = config();
  const handle = await openDatabase({ databaseUrl: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR });
  try {
    await migrateToLatest(handle.db);
    return await work(handle);
  } finally {
    await handle.close();
  }
}

/** The organisation named by --org (id or name), or the only one there is. */
export async function resolveOrg(handle: DatabaseHandle, org: string | undefined, options: { createIfEmpty?: string } = {}): Promise<string> {
  const orgs = await orgsRepo.listOrganisations(handle.db);
  if (org) {
    const found = orgs.find((o) => o.id === org || o.name.toLowerCase() === org.toLowerCase());
    if (!found) throw new CliError(`No organisation “${org}”. Known: ${orgs.map((o) => `${o.name} (${o.id})`).join(', ') || 'none'}`);
    return found.id;
  }
  if (orgs.length === 1 && orgs[0]) return orgs[0].id;
  if (orgs.length === 0) {
    if (options.createIfEmpty) return (await orgsRepo.createOrganisation(handle.db, options.createIfEmpty)).id;
    throw new CliError('There is no organisation yet: start Steward and talk to it once, or run `steward seed demo`.');
  }
  throw new CliError(`There are ${orgs.length} organisations; say which with --org (${orgs.map((o) => o.name).join(', ')}).`);
}

const ROLE_CHOICES: Record<string, Role> = { admin: 'admin', steward: 'glossary_steward', glossary_steward: 'glossary_steward', board: 'board' };

function roleOption() {
  return new Option('--role <role>', 'admin, steward (glossary steward) or board').choices(Object.keys(ROLE_CHOICES)).makeOptionMandatory();
}

export function buildCli(out: (line: string) => void = console.log): Command {
  const program = new Command('steward')
    .description('Steward: CX governance in Slack and Microsoft Teams')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('run only the HTTP side (chat endpoints, health, metrics)')
    .action(async () => (await import('./main.js')).run({ http: true, workers: false }));
  program
    .command('worker')
    .description('run only the workers (deliveries, schedules, sweeps)')
    .action(async () => (await import('./main.js')).run({ http: false, workers: true }));

  program
    .command('migrate')
    .description('apply database migrations (also done at every start)')
    .action(async () => {
      const cfg = config();
      const handle = await openDatabase({ databaseUrl: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR });
      try {
        const applied = await migrateToLatest(handle.db);
        out(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      } finally {
        await handle.close();
      }
    });

  const role = program.command('role').description('grant, revoke and list roles');
  role
    .command('grant')
    .description('grant a role to the person with this e-mail (recorded even before they first use Steward)')
    .requiredOption('--email <email>', 'the person\'s e-mail')
    .addOption(roleOption())
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (opts: { email: string; role: string; org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org, { createIfEmpty: config().STEWARD_ORG_NAME });
        const roleName = ROLE_CHOICES[opts.role];
        if (!roleName) throw new CliError(`Unknown role ${opts.role}`);
        if (!/^[^@\s]+@[^@\s]+$/.test(opts.email)) throw new CliError(`“${opts.email}” is not an e-mail address`);
        const personId = await personForEmail(handle.db, orgId, opts.email);
        const changed = await grantRole(handle.db, personId, { orgId, role: roleName, byLabel: 'cli' });
        out(roleChangeMessage(opts.email, roleName, 'grant', changed));
      });
    });
  role
    .command('revoke')
    .description('revoke a role')
    .requiredOption('--email <email>', 'the person\'s e-mail')
    .addOption(roleOption())
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (opts: { email: string; role: string; org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        const roleName = ROLE_CHOICES[opts.role];
        if (!roleName) throw new CliError(`Unknown role ${opts.role}`);
        const person = await orgsRepo.findPersonByEmail(handle.db, orgId, opts.email);
        if (!person) throw new CliError(`Nobody with e-mail ${opts.email} in this organisation`);
        const changed = await revokeRole(handle.db, person.id, { orgId, role: roleName, byLabel: 'cli' }).catch((error: unknown) => {
          throw new CliError(error instanceof Error ? error.message : String(error));
        });
        out(roleChangeMessage(opts.email, roleName, 'revoke', changed));
      });
    });
  role
    .command('list')
    .description('everyone with a role')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        for (const r of ['admin', 'glossary_steward', 'board'] as const) {
          const people = await orgsRepo.peopleWithRole(handle.db, orgId, r);
          out(`${ROLE_LABELS[r]}s: ${people.map((p) => `${p.display_name}${p.email ? ` <${p.email}>` : ''}`).join(', ') || 'nobody'}`);
        }
      });
    });

  const org = program.command('org').description('organisations and their Slack workspaces / Teams tenants');
  org
    .command('list')
    .description('list organisations and their installations')
    .action(async () => {
      await withDatabase(async (handle) => {
        const orgs = await orgsRepo.listOrganisations(handle.db);
        if (orgs.length === 0) out('No organisations yet.');
        for (const o of orgs) {
          const installations = await handle.db.selectFrom('installations').select(['platform', 'external_id', 'name']).where('org_id', '=', o.id).execute();
          out(`${o.name} (${o.id})${installations.map((i) => `\n  ${i.platform} ${i.external_id}${i.name ? ` ${i.name}` : ''}`).join('')}`);
        }
      });
    });
  org
    .command('link-installation')
    .description('link a Slack workspace or Teams tenant to an organisation (e.g. a second workspace)')
    .addOption(new Option('--platform <platform>', 'slack or teams').choices(['slack', 'teams']).makeOptionMandatory())
    .requiredOption('--id <id>', 'Slack team id (T…) or Teams tenant id')
    .option('--name <name>', 'a label for it')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (opts: { platform: Platform; id: string; name?: string; org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org, { createIfEmpty: config().STEWARD_ORG_NAME });
        await handle.db
          .insertInto('installations')
          .values({ org_id: orgId, platform: opts.platform, external_id: opts.id, name: opts.name ?? null })
          .onConflict((oc) => oc.columns(['platform', 'external_id']).doUpdateSet({ org_id: orgId, ...(opts.name ? { name: opts.name } : {}) }))
          .execute();
        out(`${opts.platform} ${opts.id} now belongs to organisation ${orgId}.`);
      });
    });

  // Other capabilities add their own `import <what>` / `export <what>` to the same two groups.
  const importGroup = program.commands.find((c) => c.name() === 'import') ?? program.command('import').description('load data from CSV files (all-or-nothing, with a report per row)');
  const exportGroup = program.commands.find((c) => c.name() === 'export') ?? program.command('export').description('write data as CSV to standard output');
  importGroup
    .command('journeys <file>')
    .description('import the journey tree (CSV header key,name,level,parent,owner,description; owner an e-mail)')
    .option('--dry-run', 'check the file and report what would change; change nothing')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (file: string, opts: { dryRun?: boolean; org?: string }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        const report = await importJourneys(handle.db, orgId, text, { dryRun: opts.dryRun ?? false, now: new Date(), byLabel: 'cli' });
        for (const line of formatImportReport(report)) out(line);
        if (!report.ok) throw new CliError(`${file} was not imported; fix the lines above and run it again`);
      });
    });
  exportGroup
    .command('journeys')
    .description('the journey tree as CSV, in the format `import journeys` reads')
    .option('--org <org>', 'organisation id or name (default: the only one)')
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

  const readInput = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  importGroup
    .command('kpis <file>')
    .description('import KPI definitions (CSV header key,journey,name,unit,direction,target,warning,breach,cadence,glossary_term[,breach_periods,remind_every_periods])')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (file: string, opts: { org?: string }) => {
      const text = readInput(file);
      await withDatabase(async (handle) => {
        const outcome = await importKpiDefinitions(handle.db, await resolveOrg(handle, opts.org), text);
        for (const line of formatKpiImportReport(file, outcome)) out(line);
        if (!outcome.ok) throw new CliError(`${file} was not imported; fix the lines above and run it again`);
      });
    });
  importGroup
    .command('kpi-values <file>')
    .description('import KPI values (CSV header kpi,period_start,segment,value[,source]); a value for a period already there replaces it (kept in history)')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .option('--no-alerts', 'a backfill of history: raise no alert about these periods')
    .action(async (file: string, opts: { org?: string; alerts: boolean }) => {
      const text = readInput(file);
      await withDatabase(async (handle) => {
        const source = `csv:${file.split('/').pop() ?? file}`.slice(0, 200);
        const outcome = await importKpiValues(handle.db, await resolveOrg(handle, opts.org), text, { source, now: new Date(), alerts: opts.alerts });
        for (const line of formatKpiImportReport(file, outcome)) out(line);
        if (!outcome.ok) throw new CliError(`${file} was not imported; fix the lines above and run it again`);
      });
    });

  const token = program.command('token').description('API tokens for the KPI ingest API (one organisation each, stored hashed)');
  token
    .command('create')
    .description('create a token; it is printed once and cannot be shown again')
    .requiredOption('--name <name>', 'what the token is for, e.g. "data warehouse"')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .option('--rate <requests>', 'requests per minute allowed (default 600)')
    .action(async (opts: { name: string; org?: string; rate?: string }) => {
      const rate = opts.rate === undefined ? undefined : Number(opts.rate);
      if (rate !== undefined && !Number.isInteger(rate)) throw new CliError('--rate is a whole number of requests per minute');
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        const created = await createToken(handle.db, { orgId, name: opts.name, createdBy: 'cli', ...(rate !== undefined ? { requestsPerMinute: rate } : {}) }).catch((error: unknown) => {
          throw error instanceof TokenError ? new CliError(error.message) : error;
        });
        out(created.token);
        process.stderr.write(`Token “${created.name}” (${created.id}) for organisation ${orgId}, ${created.requestsPerMinute} requests per minute. Keep it secret: it is shown only now.
`);
      });
    });
  token
    .command('revoke <token>')
    .description('revoke a token by its id, name or prefix; requests with it are refused from now on')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (which: string, opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        const revoked = await revokeToken(handle.db, orgId, which, new Date()).catch((error: unknown) => {
          throw error instanceof TokenError ? new CliError(error.message) : error;
        });
        if (!revoked) throw new CliError(`No active token “${which}” in this organisation (see \`steward token list\`)`);
        out(`Revoked token “${revoked.name}” (${revoked.prefix}…).`);
      });
    });
  token
    .command('list')
    .description('tokens of the organisation (never the secrets)')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const tokens = await listTokens(handle.db, await resolveOrg(handle, opts.org));
        if (tokens.length === 0) out('No API tokens yet: steward token create --name …');
        for (const t of tokens) {
          const state = t.revoked_at ? `revoked ${t.revoked_at.toISOString()}` : `active, ${t.requests_per_minute}/min, last used ${t.last_used_at?.toISOString() ?? 'never'}`;
          out(`${t.id}  ${t.prefix}…  ${t.name}  (${state})`);
        }
      });
    });

  importGroup
    .command('glossary <file>')
    .description('import glossary terms (CSV header term,aliases,definition,notes,steward,status; aliases ;-separated; steward an e-mail)')
    .option('--dry-run', 'check the file and report what would change; change nothing')
    .option('--org <org>', 'organisation id or name (default: the only one, created on an empty database)')
    .action(async (file: string, opts: { dryRun?: boolean; org?: string }) => {
      const text = readInput(file);
      await withDatabase(async (handle) => {
        // A dry run on an empty database checks the file against an empty glossary and creates nothing.
        const empty = opts.dryRun && !opts.org && (await orgsRepo.listOrganisations(handle.db)).length === 0;
        const orgId = empty ? randomUUID() : await resolveOrg(handle, opts.org, { createIfEmpty: config().STEWARD_ORG_NAME });
        const report = await importGlossaryCsv(handle.db, orgId, text, { dryRun: opts.dryRun ?? false, by: 'import', now: new Date() });
        for (const line of describeGlossaryImport(report)) out(line);
        if (report.problems.length) throw new CliError(`${file} was not imported; fix the rows above and run it again`);
      });
    });
  exportGroup
    .command('glossary')
    .description('the glossary as CSV, in the format `import glossary` reads (formula-like cells neutralised)')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        out((await exportGlossaryCsv(handle.db, orgId)).trimEnd());
      });
    });

  exportGroup
    .command('decisions')
    .description('proposal decisions with their tallies and rules, for the governance record (never who voted what)')
    .option('--org <org>', 'organisation id or name (default: the only one)')
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const { csv } = await decisionsCsv(handle.db, await resolveOrg(handle, opts.org));
        out(csv.trimEnd());
      });
    });

  addSettingsCommands(program, { withDatabase, resolveOrg, out, problem: (message) => new CliError(message) });

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

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' && error.code.startsWith('commander.')) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
    }
    if (error instanceof CliError) {
      console.error(`steward: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

const invokedDirectly = process.argv[1] && (process.argv[1].endsWith('/cli.ts') || process.argv[1].endsWith('/cli.js') || process.argv[1].endsWith('/steward.js') || process.argv[1].endsWith('/steward'));
if (invokedDirectly) {
  const args = process.argv.slice(2);
  const longRunning = args[0] === 'serve' || args[0] === 'worker';
  runCli(args).then(
    (code) => {
      if (!longRunning || code !== 0) process.exit(code);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
