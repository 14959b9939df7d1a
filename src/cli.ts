// The `steward` command line: builds the program, lets each capability add its commands, and runs the
// service parts (serve, worker) and migrations itself. Config is loaded once, at the entry point.
import { Command } from 'commander';
import { ChatError } from './chat/errors.js';
import { CliError, createCliContext } from './cli-context.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { registerGlossaryCommands } from './glossary/cli.js';
import { registerGovernanceCommands } from './governance/cli.js';
import { registerJourneyCommands } from './journeys/cli.js';
import { registerKpiCommands } from './kpis/cli.js';
import { registerOrgsCommands } from './orgs/cli.js';
import { registerProposalCommands } from './proposals/cli.js';
import { registerSeedCommands } from './seed/cli.js';
import { registerTokenCommands } from './tokens/cli.js';
import { registerPeopleCommands } from './reach/cli.js';
import { SlackWebDirectory } from './slack/directory.js';

function registerServiceCommands(program: Command, config: Config, out: (line: string) => void): void {
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
      const handle = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        const applied = await migrateToLatest(handle.db);
        out(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      } finally {
        await handle.close();
      }
    });
}

export function buildCli(config: Config, out: (line: string) => void = console.log): Command {
  const program = new Command('steward')
    .description('Steward: CX governance in Slack and Microsoft Teams')
    .showHelpAfterError()
    .exitOverride();
  const cli = createCliContext(program, config, out);
  // The order here is the order `steward --help` lists them in.
  registerServiceCommands(program, config, out);
  registerOrgsCommands(program, cli);
  registerPeopleCommands(program, cli, () =>
    config.SLACK_BOT_TOKEN ? new SlackWebDirectory({ botToken: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL }) : undefined,
  );
  program.addCommand(cli.imports);
  program.addCommand(cli.exports);
  registerJourneyCommands(cli);
  registerKpiCommands(cli);
  registerTokenCommands(program, cli);
  registerGlossaryCommands(cli);
  registerProposalCommands(cli);
  registerGovernanceCommands(program, cli);
  registerSeedCommands(program, cli);
  return program;
}

function loadCliConfig(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const program = buildCli(loadCliConfig(env));
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' && error.code.startsWith('commander.')) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
    }
    // A problem the person can fix (a CLI usage problem, or a service's coded refusal): its message, no stack.
    if (error instanceof CliError || error instanceof ChatError) {
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
