// `POST /mcp`: the MCP endpoint for AI assistants (Streamable HTTP), stateless — every request gets
// its own server and transport and nothing is kept between requests, so any `steward serve` replica
// behind a load balancer answers any request. The bearer token is checked before the SDK sees the
// request (401 without a live token, 403 for a token without the `mcp` scope, 429 past its rate),
// and names the one organisation every tool reads. GET and DELETE (SSE streams and sessions, which a
// stateless server has none of) answer 405, as the SDK's stateless examples do.
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { LookupLog } from '../glossary/lookup-log.js';
import type { TermIndexes } from '../glossary/matching/term-indexes.js';
import type { TermCards } from '../glossary/term-cards.js';
import type { BearerAuth } from '../http/api/bearer.js';
import type { Metrics } from '../http/metrics.js';
import type { Route, RouteHandler } from '../http/server.js';
import type { Logger } from '../log.js';
import { createMcpServer } from './tools.js';

export const MCP_PATH = '/mcp';
/** A tool call is a few hundred bytes; a batch of them a few kilobytes. */
export const MCP_MAX_BODY_BYTES = 64_000;

export interface McpRouteOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Bearer tokens with the `mcp` scope, within their rate (shared with the ingest API). */
  auth: BearerAuth;
  metrics: Metrics;
  /** Where lookups are logged, with the source `mcp`. */
  lookupLog: LookupLog;
  /** The organisations' term indexes, for the same in-memory matching as chat. */
  termIndexes?: TermIndexes;
  termCards?: TermCards;
  maxBodyBytes?: number;
}

/** A JSON-RPC error before any MCP message was handled (so no request id to answer). */
function refuse(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): string {
  if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
  return String(status);
}

/** Steward's version, as the MCP server introduces itself (from src/ and from the build in dist/src/). */
function stewardVersion(): string {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      return z.object({ name: z.literal('steward'), version: z.string() }).parse(JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'))).version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}

export function mcpRoutes(options: McpRouteOptions): Route[] {
  const version = stewardVersion();
  const count = (tool: string, outcome: string) => options.metrics.mcpToolCalls.inc({ tool, outcome });

  const handle: RouteHandler = async (req, res, body) => {
    const auth = await options.auth.check(req, 'mcp');
    if (!auth.ok) return refuse(res, auth.status, -32001, auth.message, auth.headers);
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch {
      return refuse(res, 400, -32700, 'Parse error: the body is not JSON');
    }
    const context = { orgId: auth.token.orgId, db: options.db, clock: options.clock, lookupLog: options.lookupLog, ...(options.termIndexes ? { termIndexes: options.termIndexes } : {}), ...(options.termCards ? { termCards: options.termCards } : {}) };
    const server = createMcpServer({ context, log: options.log, version, count });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, message);
    return String(res.statusCode);
  };

  const notAllowed: RouteHandler = (_req, res) =>
    Promise.resolve(refuse(res, 405, -32000, 'Method not allowed: this MCP server is stateless; send JSON-RPC messages with POST', { allow: 'POST' }));

  return [
    { method: 'POST', path: MCP_PATH, name: 'mcp', maxBodyBytes: options.maxBodyBytes ?? MCP_MAX_BODY_BYTES, handler: handle },
    { method: 'GET', path: MCP_PATH, name: 'mcp', handler: notAllowed },
    { method: 'DELETE', path: MCP_PATH, name: 'mcp', handler: notAllowed },
  ];
}
