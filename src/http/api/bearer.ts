// Bearer API tokens on the HTTP routes that take them (the KPI ingest API, the MCP endpoint): one
// check for both, in order — a token at all (401), its scope (403: an ingest token never reads over
// MCP, an MCP token never writes KPI values), its rate per minute (429 with Retry-After). Each route
// words the refusal in its own response shape; the decision is made here once.
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import { touchToken, verifyToken, type TokenScope, type VerifiedToken } from '../../tokens/service.js';
import type { RateLimiter } from './rate-limit.js';

export type BearerCheck =
  | { ok: true; token: VerifiedToken }
  | { ok: false; status: 401 | 403 | 429; message: string; headers: Record<string, string> };

const WHAT_FOR: Record<TokenScope, string> = { ingest: 'the KPI ingest API', mcp: 'the MCP endpoint for AI assistants' };

const UNAUTHENTICATED = { 'www-authenticate': 'Bearer realm="steward"' };

const TOKEN_PROBLEMS = {
  missing: (scope: TokenScope) => `send an API token as "Authorization: Bearer stw_…" (create one with \`steward token create --name … --scope ${scope}\`)`,
  malformed: () => 'the bearer token is not a Steward API token',
  unknown: () => 'unknown API token',
  revoked: () => 'this API token was revoked',
} as const;

export interface BearerAuthOptions {
  db: Db;
  clock: Clock;
  limiter: RateLimiter;
}

export class BearerAuth {
  // "Last used" is for people looking at `steward token list`: once a minute per token is plenty.
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly options: BearerAuthOptions) {}

  /** Whether the request carries a live token of this scope, within its rate. */
  async check(req: IncomingMessage, scope: TokenScope): Promise<BearerCheck> {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) return { ok: false, status: 401, message: TOKEN_PROBLEMS.missing(scope), headers: UNAUTHENTICATED };
    const verified = await verifyToken(this.options.db, match[1]);
    if (!verified.ok) return { ok: false, status: 401, message: TOKEN_PROBLEMS[verified.reason](), headers: UNAUTHENTICATED };
    const token = verified.token;
    if (token.scope !== scope) {
      return {
        ok: false,
        status: 403,
        message: `this token has the scope "${token.scope}" (${WHAT_FOR[token.scope]}); ${WHAT_FOR[scope]} needs a token with the scope "${scope}" (\`steward token create --name … --scope ${scope}\`)`,
        headers: {},
      };
    }
    const now = this.options.clock.now();
    const rate = await this.options.limiter.take(`token:${token.id}`, token.requestsPerMinute, now);
    if (!rate.allowed) {
      return {
        ok: false,
        status: 429,
        message: `rate limit of ${token.requestsPerMinute} requests per minute for this token reached; retry in ${rate.retryAfterSeconds} s`,
        headers: { 'retry-after': String(rate.retryAfterSeconds) },
      };
    }
    if ((this.lastTouched.get(token.id) ?? 0) < now.getTime() - 60_000) {
      this.lastTouched.set(token.id, now.getTime());
      void touchToken(this.options.db, token.id, now).catch(() => {});
    }
    return { ok: true, token };
  }
}
