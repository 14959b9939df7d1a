// One pino logger for the process; secrets are redacted wherever they might be logged.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'steward' },
    redact: {
      paths: ['*.token', '*.password', '*.secret', 'headers.authorization', '*.headers.authorization', 'config.SLACK_BOT_TOKEN'],
      censor: '[redacted]',
    },
  });
}
