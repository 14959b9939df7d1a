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
      // Counted in this test's own schema: other tests' schemas hold an outbox too and would pass for it.
      const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'outbox' and table_schema = current_schema()`.execute(db.db);
      expect(tables.rows[0]?.n).toBe(1);
      const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.db);
      expect(recorded.rows.map((r) => r.name)).toEqual([...applied].sort());
    } finally {
      await db.drop();
    }
  });
});
