// Per-test database isolation: each test gets its own Postgres schema (search_path), or its own
// in-memory PGlite. The same data-layer suites run on both (see test/integration/*.test.ts).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openPGlite, openPostgres, type DatabaseHandle } from '../../src/db/database.js';
import { MIGRATION_LOCK, migrateToLatest } from '../../src/db/migrate.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type DatabaseKind = 'postgres' | 'pglite';

let extensionReady: Promise<void> | undefined;

/** pg_trgm lives in public, once per database, so each schema's migration finds it. */
async function ensureExtension(): Promise<void> {
  extensionReady ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query('select pg_advisory_lock(727003)');
      await client.query('create extension if not exists pg_trgm with schema public');
      await client.query('select pg_advisory_unlock(727003)');
    } finally {
      await client.end();
    }
  })();
  return extensionReady;
}

export interface TestDatabase extends DatabaseHandle {
  /** The schema (Postgres) that isolates this test; undefined on PGlite. */
  schema?: string;
  /** Connection string with the schema on the search_path, for child processes. */
  url?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: DatabaseKind = 'postgres', options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const handle = await openPGlite(undefined);
    if (options.migrate !== false) await migrateToLatest(handle.db);
    return { ...handle, drop: () => handle.close() };
  }
  await ensureExtension();
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const handle = openPostgres({ url: TEST_DATABASE_URL, schema });
  if (options.migrate !== false) await migrateToLatest(handle.db);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return {
    ...handle,
    schema,
    url: url.toString(),
    async drop() {
      await handle.close();
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        // Kysely's migrator reads the catalog of every schema; a schema dropped under it makes that
        // read fail. Dropping under the migration lock keeps parallel tests' migrations safe.
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      } finally {
        await client.end();
      }
    },
  };
}

/** Both database kinds, for `describe.each`. */
export const DATABASE_KINDS: DatabaseKind[] = ['postgres', 'pglite'];
