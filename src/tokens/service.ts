// API tokens: created by an operator (`steward token create`), shown once, stored only as a SHA-256
// hash (the token is random and long, so a slow hash would add nothing), scoped to one organisation
// and to one use (the KPI ingest API or the MCP endpoint), revocable. Verification is one indexed
// lookup by hash.
import * as repo from './repo.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import { ERROR_CODES } from '../errors.js';
import type { TokenScope } from './tables.js';

export type { TokenScope } from './tables.js';
export const TOKEN_SCOPES: readonly TokenScope[] = ['ingest', 'mcp'];

const TOKEN_PREFIX = 'stw_';
const TOKEN_SHAPE = /^stw_[A-Za-z0-9_-]{32}$/;

export const DEFAULT_REQUESTS_PER_MINUTE = 600;

export interface CreatedToken {
  id: string;
  name: string;
  /** The secret itself: shown once, never stored. */
  token: string;
  prefix: string;
  scope: TokenScope;
  requestsPerMinute: number;
}

export interface VerifiedToken {
  id: string;
  orgId: string;
  name: string;
  scope: TokenScope;
  requestsPerMinute: number;
}

export type TokenCheck = { ok: true; token: VerifiedToken } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

export class TokenError extends Error {
  readonly code = ERROR_CODES.tokenInvalid;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function createToken(
  db: Db,
  options: { orgId: string; name: string; scope?: TokenScope; requestsPerMinute?: number; createdBy?: string },
): Promise<CreatedToken> {
  const name = options.name.trim();
  if (name.length < 1 || name.length > 80) throw new TokenError('A token name has 1 to 80 characters.');
  const rate = options.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE;
  if (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000) throw new TokenError('The rate limit is a whole number of requests per minute, from 1 to 1000000.');
  const scope = options.scope ?? 'ingest';
  if (!TOKEN_SCOPES.includes(scope)) throw new TokenError(`A token's scope is ${TOKEN_SCOPES.join(' or ')}.`);
  const clash = await repo.activeTokenNamed(db, options.orgId, name);
  if (clash) throw new TokenError(`This organisation already has an active token named “${name}”; revoke it first or choose another name.`);
  const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
  const prefix = token.slice(0, 12);
  const row = await repo.insertToken(db, { org_id: options.orgId, name, token_hash: hashToken(token), prefix, scope, requests_per_minute: rate, created_by: options.createdBy ?? null });
  return { id: row.id, name, token, prefix, scope, requestsPerMinute: rate };
}

export async function verifyToken(db: Db, token: string): Promise<TokenCheck> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: 'malformed' };
  const row = await repo.tokenByHash(db, hashToken(token));
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revoked_at) return { ok: false, reason: 'revoked' };
  return { ok: true, token: { id: row.id, orgId: row.org_id, name: row.name, scope: row.scope, requestsPerMinute: row.requests_per_minute } };
}

/** Records use at most once a minute per token, so a busy ingest does not write on every request. */
export async function touchToken(db: Db, tokenId: string, now: Date): Promise<void> {
  await repo.markUsed(db, tokenId, now, new Date(now.getTime() - 60_000));
}

/** Revokes the active token with this id, name or prefix; returns it, or undefined when none matched. */
export async function revokeToken(db: Db, orgId: string, which: string, now: Date) {
  const candidates = await repo.activeTokens(db, orgId);
  const matches = candidates.filter((t) => t.id === which || t.name === which || t.prefix === which);
  if (matches.length > 1) throw new TokenError(`“${which}” matches ${matches.length} tokens; give the token id instead.`);
  const match = matches[0];
  if (!match) return undefined;
  await repo.markRevoked(db, match.id, now);
  return match;
}

export async function listTokens(db: Db, orgId: string) {
  return repo.tokensOf(db, orgId);
}
