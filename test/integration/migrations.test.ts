// The same data-layer suite on real Postgres and on embedded PGlite, so the default cannot drift.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTestDatabase, DATABASE_KINDS } from '../support/database.js';

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  it('apply from empty, and a second run finds nothing to do', async () => {
    const db = await createTestDatabase(kind, { migrate: false });
    try {
      const first = await migrateToLatest(db.db);
      expect(first[0]).toBe('0001_foundation');
      expect(await migrateToLatest(db.db)).toEqual([]);
      const trgm = await sql<{ similarity: number }>`select similarity('promoter', 'promotor') as similarity`.execute(db.db);
      expect(trgm.rows[0]?.similarity).toBeGreaterThan(0.3);
    } finally {
      await db.drop();
    }
  });

  it('are safe when several processes migrate at once', async () => {
    const db = await createTestDatabase(kind, { migrate: false });
    try {
      const results = await Promise.all([migrateToLatest(db.db), migrateToLatest(db.db), migrateToLatest(db.db)]);
      const applied = results.flat();
      expect(new Set(applied).size).toBe(applied.length);
      const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'outbox'`.execute(db.db);
      expect(tables.rows[0]?.n).toBeGreaterThanOrEqual(1);
    } finally {
      await db.drop();
    }
  });
});
