// Requests per minute per API token, counted in Redis so that every Steward process shares one
// count (a fixed one-minute window: one INCR per request). When Redis is away the limit is not
// enforced rather than refusing all ingest: Postgres, not Redis, guards the data.
import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string, perMinute: number, now: Date): Promise<RateDecision>;
}

export class RedisRateLimiter implements RateLimiter {
  private warned = false;

  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix?: string; log: Logger },
  ) {}

  async take(key: string, perMinute: number, now: Date): Promise<RateDecision> {
    const window = Math.floor(now.getTime() / 60_000);
    const redisKey = `${this.options.prefix ?? 'steward'}:ratelimit:${key}:${window}`;
    try {
      const results = await this.redis.multi().incr(redisKey).pexpire(redisKey, 120_000).exec();
      const count = Number(results?.[0]?.[1]);
      this.warned = false;
      if (Number.isFinite(count) && count > perMinute) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - now.getTime()) / 1000)) };
      }
      return { allowed: true };
    } catch (error) {
      if (!this.warned) {
        this.warned = true;
        this.options.log.warn({ err: error }, 'API rate limit not enforced: Redis is unreachable');
      }
      return { allowed: true };
    }
  }
}
