// Runs Steward as a process: `npm start` (HTTP and workers), `steward serve`, `steward worker`.
import { startSteward } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, wantsPrettyLogs } from './log.js';

export async function run(parts: { http: boolean; workers: boolean }): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Steward cannot start.\n${error.message}\nSee the configuration table in README.md.`);
      process.exit(78);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL, { pretty: wantsPrettyLogs(config.NODE_ENV) });
  const steward = await startSteward({ config, log, ...parts });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    steward.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run({ http: true, workers: true }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
