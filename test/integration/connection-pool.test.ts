// The service keeps its Postgres connections once opened (src/db/database.ts keepConnections): after a
// quiet spell longer than pg's idle timeout (10 s), a burst of lookups finds them open instead of each
// waiting for a new backend. Pools without the option (commands, tests) still close idle connections.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres, type DatabaseHandle } from '../../src/db/database.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let kept: DatabaseHandle;
let reaped: DatabaseHandle;
// The schema names only tell the two pools' sessions apart (application_name); no table is read.
const keptName = () => `${database.schema!}_kept`;
const reapedName = () => `${database.schema!}_reaped`;

beforeAll(async () => {
  database = await createTestDatabase('postgres', { migrate: false });
  kept = openPostgres({ url: TEST_DATABASE_URL, schema: keptName(), max: 4, keepConnections: true });
  reaped = openPostgres({ url: TEST_DATABASE_URL, schema: reapedName(), max: 4 });
});
afterAll(async () => {
  await kept.close();
  await reaped.close();
  await database.drop();
});

/** Steward's sessions of one pool, as an operator sees them in pg_stat_activity. */
const sessions = async (schema: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from pg_stat_activity where application_name = ${`steward ${schema}`}`.execute(database.db)).rows[0]!.n);

/** Four statements at once: each pool opens all four of its connections. */
const burst = (handle: DatabaseHandle) => Promise.all(Array.from({ length: 4 }, () => sql`select pg_sleep(0.05)`.execute(handle.db)));

it('keeps its connections through a quiet spell longer than the idle timeout; a pool without the option closes them', { timeout: 20_000 }, async () => {
  await Promise.all([burst(kept), burst(reaped)]);
  expect(await sessions(keptName())).toBe(4);
  expect(await sessions(reapedName())).toBe(4);
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  expect(await sessions(keptName())).toBe(4);
  expect(await sessions(reapedName())).toBe(0);
  // The next burst runs on the connections kept.
  await burst(kept);
  expect(await sessions(keptName())).toBe(4);
});
