// The one HTTP server: /slack/events, /api/messages, /healthz, /readyz, /metrics (and whatever
// routes capabilities add, such as /charts/*, the KPI ingest API and /mcp). Small enough that a
// framework would only add weight.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ERROR_CODES } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';
import { SerializedJson } from './serialized-json.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<string | void>;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Exact path, or a prefix ending in `*`. */
  path: string;
  /** Label used in metrics. */
  name: string;
  handler: RouteHandler;
  maxBodyBytes?: number;
}

export class BodyTooLarge extends Error {
  readonly code = ERROR_CODES.httpBodyTooLarge;
}

/** The request body, refused past `max` bytes (what is left of it is read and dropped, so the 413 can still be sent). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** `body` as JSON; one serialised before (SerializedJson) is sent as it is. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(body instanceof SerializedJson ? body.json : JSON.stringify(body));
}

export function createHttpServer(routes: Route[], options: { log: Logger; metrics: Metrics }): Server {
  const { log, metrics } = options;
  const match = (method: string, path: string) =>
    routes.find((r) => r.method === method && (r.path.endsWith('*') ? path.startsWith(r.path.slice(0, -1)) : r.path === path));

  return createServer((req, res) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = match(req.method ?? 'GET', path);
    if (!route) {
      const known = routes.some((r) => r.path === path);
      sendJson(res, known ? 405 : 404, { error: known ? 'method not allowed' : 'not found' });
      metrics.requests.inc({ route: 'unknown', outcome: known ? '405' : '404' });
      return;
    }
    const finish = (outcome: string) => {
      metrics.observeRequest(route.name, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    };
    readBody(req, route.maxBodyBytes ?? 1_000_000)
      .then((body) => route.handler(req, res, body))
      .then((outcome) => {
        finish(outcome ?? String(res.statusCode));
      })
      .catch((error: unknown) => {
        if (error instanceof BodyTooLarge) {
          sendJson(res, 413, { error: `request body larger than ${route.maxBodyBytes ?? 1_000_000} bytes` });
          finish('413');
          return;
        }
        log.error({ err: error, route: route.name }, 'request failed');
        sendJson(res, 500, { error: 'internal error' });
        finish('500');
      });
  });
}
