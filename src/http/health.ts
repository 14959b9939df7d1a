// GET /healthz (the process answers), /readyz (database and Redis reachable, JSON with each) and
// /metrics (Prometheus text format).
import { ping, type DatabaseHandle } from '../db/database.js';
import type { RedisHealth } from '../jobs/redis.js';
import { withTimeout } from '../with-timeout.js';
import type { Metrics } from './metrics.js';
import { sendJson, type Route } from './server.js';

export function healthRoutes(parts: { database: DatabaseHandle; redisHealth: RedisHealth; metrics: Metrics }): Route[] {
  const { database, redisHealth, metrics } = parts;
  return [
    { method: 'GET', path: '/healthz', name: 'healthz', handler: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      name: 'readyz',
      handler: async (_req, res) => {
        const databaseOk = await withTimeout(ping(database.db).then(() => true, () => false), 2_000);
        const redisOk = redisHealth.isReady;
        const ok = Boolean(databaseOk) && redisOk;
        sendJson(res, ok ? 200 : 503, {
          status: ok ? 'ready' : 'degraded',
          database: { ok: Boolean(databaseOk), kind: database.kind },
          redis: { ok: redisOk, ...(redisOk ? {} : { note: 'outbound messages wait in the outbox until Redis returns' }) },
        });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      name: 'metrics',
      handler: async (_req, res) => {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
      },
    },
  ];
}
