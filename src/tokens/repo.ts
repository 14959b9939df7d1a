// SQL of API tokens: stored hashed, one organisation each, revoked rather than deleted.
import type { Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import type { ApiTokensTable } from './tables.js';

export async function activeTokenNamed(db: Db, orgId: string, name: string) {
  return db.selectFrom('api_tokens').select('id').where('org_id', '=', orgId).where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
}

export async function insertToken(db: Db, row: Insertable<ApiTokensTable>): Promise<{ id: string }> {
  return db.insertInto('api_tokens').values(row).returning('id').executeTakeFirstOrThrow();
}

export async function tokenByHash(db: Db, tokenHash: string) {
  return db.selectFrom('api_tokens').select(['id', 'org_id', 'name', 'scope', 'requests_per_minute', 'revoked_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Records use, unless it was recorded after `recordedSince` already. */
export async function markUsed(db: Db, tokenId: string, now: Date, recordedSince: Date): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: now })
    .where('id', '=', tokenId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', recordedSince)]))
    .execute();
}

export async function activeTokens(db: Db, orgId: string) {
  return db.selectFrom('api_tokens').select(['id', 'name', 'prefix']).where('org_id', '=', orgId).where('revoked_at', 'is', null).execute();
}

export async function markRevoked(db: Db, tokenId: string, now: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', tokenId).where('revoked_at', 'is', null).execute();
}

export async function tokensOf(db: Db, orgId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'prefix', 'scope', 'requests_per_minute', 'created_at', 'created_by', 'revoked_at', 'last_used_at'])
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .execute();
}
