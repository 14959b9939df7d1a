// Applies the numbered migrations. Several processes may start at once: a Postgres advisory lock
// makes them take turns, and the ones that come second find nothing left to do.
import { Migrator, sql, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { ERROR_CODES } from '../errors.js';
import type { Db } from './database.js';

export const MIGRATION_LOCK = 727_001;

export class MigrationError extends Error {
  readonly code = ERROR_CODES.migrationFailed;
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db);
    } catch (error) {
      // Before running anything, Kysely's migrator lists the tables of every schema it can see and
      // looks each up by name; a table renamed or dropped meanwhile in another schema (another
      // tenant's or test's) fails that listing with "does not exist". Nothing ran: try again.
      if (!(error instanceof MigrationError) || error.results !== undefined || !/does not exist/.test(error.message) || attempt >= 3) throw error;
    }
  }
}

async function migrateOnce(db: Db): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      // Kysely looks for its own tables in every schema it can see; name ours, or another schema's
      // (a parallel test's, say) would pass for this one's and leave it unmigrated.
      const current = (await sql<{ schema: string }>`select current_schema() as schema`.execute(conn)).rows[0]?.schema;
      const migrator = new Migrator({
        db: conn,
        provider: { getMigrations: async () => migrations },
        ...(current && current !== 'public' ? { migrationTableSchema: current } : {}),
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`Migration ${failed} failed: ${reason}`, results);
      }
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}
