// The Kysely instance: Postgres through a pg pool when DATABASE_URL is set, otherwise the embedded
// PGlite database (with pg_trgm) stored under DATA_DIR.
import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../log.js';
import { listenOnPGlite, listenOnPostgres, type ChangeNoticeHandlers, type ChangeNotices } from './change-notices.js';
import { lockEmbeddedDirectory } from './embedded-lock.js';
import { pgliteDialect } from './pglite-driver.js';
import { PreparingClient } from './prepared-client.js';
import type { Database } from './tables.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Follows the database's change notices (migrations/0007_change_notices.ts). */
  listenForChanges(handlers: ChangeNoticeHandlers, log: Logger): Promise<ChangeNotices>;
  close(): Promise<void>;
}

// Postgres returns bigint (int8) as text; our bigint ids and counts fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PostgresOptions {
  url: string;
  /** Put every unqualified table in this schema (tests isolate themselves this way). */
  schema?: string;
  max?: number;
  /**
   * Keep every connection once opened, as a fixed-size pool does, instead of closing those idle for
   * ten seconds (pg's default). Chat traffic comes in bursts: without this, the first lookups after a
   * quiet spell each waited for a new connection (a backend started, statements prepared again) and
   * a burst's slowest answers were those. The service sets it; short-lived commands and tests do not.
   */
  keepConnections?: boolean;
}

export function openPostgres(options: PostgresOptions): DatabaseHandle {
  const max = options.max ?? 10;
  const pool = new pg.Pool({
    connectionString: options.url,
    max,
    ...(options.keepConnections ? { min: max } : {}),
    Client: PreparingClient,
    // Named, so an operator (or a test) can tell Steward's sessions in pg_stat_activity.
    application_name: `steward ${options.schema ?? ''}`.trim().slice(0, 63),
    ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor one that is checked out between two statements (inside a transaction, say): pg emits that
  // loss as an 'error' event, which without a listener ends the process. The statement that follows
  // fails instead, and the pool drops the client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    listenForChanges: async (handlers, log) => listenOnPostgres({ url: options.url, ...(options.schema ? { schema: options.schema } : {}) }, handlers, log),
    close: () => db.destroy(),
  };
}

export async function openPGlite(dataDir: string | undefined): Promise<DatabaseHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const release = dataDir ? lockEmbeddedDirectory(dataDir) : () => {};
  try {
    const client = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { pg_trgm } });
    const db = new Kysely<Database>({ dialect: pgliteDialect(client) });
    return { db, kind: 'pglite', listenForChanges: (handlers) => listenOnPGlite(client, handlers), close: () => db.destroy().finally(release) };
  } catch (error) {
    release();
    throw error;
  }
}

export async function openDatabase(options: { databaseUrl?: string | undefined; dataDir: string; poolSize?: number; keepConnections?: boolean }): Promise<DatabaseHandle> {
  return options.databaseUrl
    ? openPostgres({ url: options.databaseUrl, ...(options.poolSize ? { max: options.poolSize } : {}), ...(options.keepConnections ? { keepConnections: true } : {}) })
    : openPGlite(options.dataDir);
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
