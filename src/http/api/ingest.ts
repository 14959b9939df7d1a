// The KPI ingest API: `POST /api/v1/kpis/{key}/values` (one KPI) and `POST /api/v1/kpi-values` (many).
// A bearer API token names the organisation; the body is JSON `{"values": [...]}`; every item is
// validated with zod and checked against the KPI before anything is written; one bad item and
// nothing is stored, with a 400 that lists each problem as {index, field, problem}. Bodies are
// limited in bytes (413 from the server) and in items (413 here); each token has a rate limit (429)
// and must have the `ingest` scope (403), both checked by ./bearer.ts.
import { kpiIdByKey } from '../../kpis/repo.js';
import { counted } from '../../chat/words.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import { ingestValues, type ValueItem } from '../../kpis/ingest.js';
import { apiBatchItem, apiValueItem, kpiKey, problemsOf, type ItemProblem } from '../../kpis/schema.js';
import type { Logger } from '../../log.js';
import { sendJson, type Route } from '../server.js';
import type { BearerAuth } from './bearer.js';

export const INGEST_MAX_BODY_BYTES = 2_000_000;
export const INGEST_MAX_ITEMS = 5_000;

export interface IngestApiOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Bearer tokens with the `ingest` scope, within their rate (shared with the MCP endpoint). */
  auth: BearerAuth;
  /** After a commit: the KPIs that received values (their alerts are evaluated). */
  onStored(kpiIds: string[]): void;
  maxItems?: number;
  maxBodyBytes?: number;
}

const envelope = z.object({ values: z.array(z.unknown(), { error: 'a list of values' }) }, { error: 'a JSON object with a "values" list' });

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function refuse(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): string {
  if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  return String(status);
}

type Parsed = { ok: true; items: unknown[] } | { ok: false; status: number; body: Record<string, unknown> };

function parseBody(body: Buffer, maxItems: number): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, status: 400, body: { error: 'the body is not valid JSON; expected {"values": [...]}', stored: 0 } };
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) return { ok: false, status: 400, body: { error: `expected ${parsed.error.issues[0]?.message ?? 'a JSON object with a "values" list'}`, stored: 0 } };
  if (parsed.data.values.length === 0) return { ok: false, status: 400, body: { error: 'the "values" list is empty', stored: 0 } };
  if (parsed.data.values.length > maxItems) {
    return { ok: false, status: 413, body: { error: `${parsed.data.values.length} values in one request; at most ${maxItems} (send several requests)`, stored: 0 } };
  }
  return { ok: true, items: parsed.data.values };
}

function validationFailed(res: ServerResponse, errors: ItemProblem[], errorCount: number): string {
  return refuse(res, 400, {
    error: `${counted(errorCount, 'problem')} in the request; nothing was stored`,
    stored: 0,
    error_count: errorCount,
    errors: errors.map(({ sameAs, ...e }) => (sameAs === undefined ? e : { ...e, problem: `${e.problem} of item ${sameAs}` })),
  });
}

export function ingestRoutes(options: IngestApiOptions): Route[] {
  const maxItems = options.maxItems ?? INGEST_MAX_ITEMS;
  const maxBodyBytes = options.maxBodyBytes ?? INGEST_MAX_BODY_BYTES;

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer, single: string | undefined): Promise<string> => {
    const auth = await options.auth.check(req, 'ingest');
    if (!auth.ok) return refuse(res, auth.status, { error: auth.message, stored: 0 }, auth.headers);
    const { token } = auth;
    const now = options.clock.now();

    let keyFromPath: string | undefined;
    if (single !== undefined) {
      const key = kpiKey.safeParse(safeDecode(single));
      if (!key.success) return refuse(res, 404, { error: `“${single}” is not a KPI key`, stored: 0 });
      keyFromPath = key.data;
      const known = await kpiIdByKey(options.db, token.orgId, keyFromPath);
      // Tokens are scoped to one organisation: a KPI outside it is not this token's to write, whoever owns it.
      if (!known) return refuse(res, 403, { error: `this token's organisation has no KPI “${keyFromPath}”; a token writes only its own organisation's KPIs`, stored: 0 });
    }

    const parsed = parseBody(body, maxItems);
    if (!parsed.ok) return refuse(res, parsed.status, parsed.body);
    const problems: ItemProblem[] = [];
    const items: ValueItem[] = [];
    parsed.items.forEach((raw, index) => {
      if (keyFromPath !== undefined) {
        const item = apiValueItem.safeParse(raw);
        if (item.success) items.push({ index, kpi: keyFromPath, ...item.data });
        else problems.push(...problemsOf(index, item.error));
      } else {
        const item = apiBatchItem.safeParse(raw);
        if (item.success) items.push({ index, ...item.data });
        else problems.push(...problemsOf(index, item.error));
      }
    });
    const outcome = await ingestValues(options.db, { orgId: token.orgId, items, problems, defaultSource: `api:${token.name}`, now });
    if (!outcome.ok) return validationFailed(res, outcome.errors, outcome.errorCount);
    options.onStored(outcome.kpiIds);
    sendJson(res, 200, { stored: outcome.stored, inserted: outcome.inserted, replaced: outcome.replaced, unchanged: outcome.unchanged });
    return '200';
  };

  return [
    {
      method: 'POST',
      path: '/api/v1/kpis/*',
      name: 'kpi-ingest',
      maxBodyBytes,
      handler: async (req, res, body) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        const match = /^\/api\/v1\/kpis\/([^/]+)\/values$/.exec(path);
        if (!match?.[1]) return refuse(res, 404, { error: 'not found; the path is /api/v1/kpis/{key}/values' });
        return handle(req, res, body, match[1]);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/kpi-values',
      name: 'kpi-ingest-batch',
      maxBodyBytes,
      handler: (req, res, body) => handle(req, res, body, undefined),
    },
  ];
}
