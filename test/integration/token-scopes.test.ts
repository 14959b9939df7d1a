// What migration 0013 and the token service promise, on Postgres and PGlite: a token has one scope
// (ingest unless told), verification says which, the database refuses any other; and the lookup
// log takes the source mcp besides slack and teams, and nothing else.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as orgsRepo from '../../src/orgs/repo.js';
import { createToken, TokenError, verifyToken, type TokenScope } from '../../src/tokens/service.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

describe.each(DATABASE_KINDS)('token scopes on %s', (kind) => {
  let database: TestDatabase;
  let orgId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    orgId = (await orgsRepo.createOrganisation(database.db, 'Scopes')).id;
  });
  afterAll(async () => {
    await database.drop();
  });

  it('makes ingest tokens unless told, and verification names the scope', async () => {
    const ingest = await createToken(database.db, { orgId, name: 'warehouse' });
    const mcp = await createToken(database.db, { orgId, name: 'assistants', scope: 'mcp' });
    expect([ingest.scope, mcp.scope]).toEqual(['ingest', 'mcp']);
    expect(await verifyToken(database.db, ingest.token)).toMatchObject({ ok: true, token: { scope: 'ingest', orgId } });
    expect(await verifyToken(database.db, mcp.token)).toMatchObject({ ok: true, token: { scope: 'mcp', orgId } });
  });

  it('refuses any other scope, in the service and in the database', async () => {
    // As a caller without TypeScript's help would pass it.
    const scope = 'admin' as unknown as TokenScope;
    await expect(createToken(database.db, { orgId, name: 'root', scope })).rejects.toBeInstanceOf(TokenError);
    await expect(sql`update api_tokens set scope = 'admin' where org_id = ${orgId}`.execute(database.db)).rejects.toThrow(/check constraint/);
  });

  it('logs lookups from slack, teams and mcp, and refuses any other source', async () => {
    const row = (platform: string) => sql`insert into glossary_lookups (org_id, query, query_norm, outcome, platform) values (${orgId}, 'x', 'x', 'miss', ${platform})`;
    for (const source of ['slack', 'teams', 'mcp']) await row(source).execute(database.db);
    await expect(row('email').execute(database.db)).rejects.toThrow(/check constraint/);
  });
});
