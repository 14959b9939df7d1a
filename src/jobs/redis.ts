// Redis connections for BullMQ, and whether Redis is reachable right now. Losing Redis is not fatal:
// chat keeps working, messages wait in the Postgres outbox, and one warning is logged per outage.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.js';

export class RedisHealth {
  private ready = false;
  private warned = false;

  constructor(private readonly log: Logger) {}

  get isReady(): boolean {
    return this.ready;
  }

  watch(connection: Redis, role: string): void {
    connection.on('ready', () => {
      if (!this.ready && this.warned) this.log.info({ role }, 'Redis is reachable again; queued deliveries resume');
      this.ready = true;
      this.warned = false;
    });
    const down = (reason: string) => {
      this.ready = false;
      if (!this.warned) {
        this.warned = true;
        this.log.warn({ role, reason }, 'Redis is unreachable: chat commands keep working, outbound messages wait in the outbox until it returns');
      }
    };
    connection.on('error', (error: Error) => down(error.message));
    connection.on('close', () => {
      if (this.ready) down('connection closed');
    });
  }
}

/**
 * A connection for BullMQ. Workers need `maxRetriesPerRequest: null`; producers fail fast instead
 * of buffering commands while Redis is away (the outbox sweep re-sends them later).
 */
export function redisConnection(url: string, kind: 'worker' | 'producer'): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: kind === 'worker' ? null : 1,
    enableOfflineQueue: kind === 'worker',
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  };
  return new Redis(url, options);
}
