// One pino logger for the process; secrets are redacted wherever they might be logged. On a
// developer's terminal (development, stdout a TTY) lines are made readable by pino-pretty, a dev
// dependency; everywhere else they stay JSON, one object a line, for log collectors.
import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

const OPTIONS: LoggerOptions = {
  base: { service: 'steward' },
  redact: {
    paths: ['*.token', '*.password', '*.secret', 'headers.authorization', '*.headers.authorization', 'config.SLACK_BOT_TOKEN'],
    censor: '[redacted]',
  },
};

/** Whether pino-pretty can be loaded here (it is a dev dependency: absent from production installs). */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  if (options.pretty && prettyAvailable()) {
    return pino({ ...OPTIONS, level, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,service' } } });
  }
  return pino({ ...OPTIONS, level });
}

/** Readable lines for a person at a terminal in development; JSON otherwise. */
export function wantsPrettyLogs(nodeEnv: string): boolean {
  return nodeEnv === 'development' && process.stdout.isTTY === true;
}
