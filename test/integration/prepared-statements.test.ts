// Steward's Postgres connections prepare each parameterised statement once (src/db/prepared-client.ts).
// A statement whose table changed under it fails once; the connection then carries on unprepared.
// Statements marked PLAN_ONCE keep one generic plan per connection.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres, type DatabaseHandle } from '../../src/db/database.js';
import { PLAN_ONCE } from '../../src/db/prepared-client.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let single: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase('postgres', { migrate: false });
  // One connection, so every statement below meets the same session's prepared statements.
  single = openPostgres({ url: TEST_DATABASE_URL, schema: database.schema!, max: 1 });
  await sql`create table things (id int primary key, name text)`.execute(single.db);
});
afterAll(async () => {
  await single.close();
  await database.drop();
});

const prepared = async () =>
  (await sql<{ name: string }>`select name from pg_prepared_statements where name like 'steward_%' order by name`.execute(single.db)).rows.map((r) => r.name);

it('prepares a statement with parameters once per connection and reuses it', async () => {
  for (let i = 1; i <= 10; i++) await sql`insert into things (id, name) values (${i}, ${`thing ${i}`})`.execute(single.db);
  const find = (id: number) => sql<{ name: string }>`select * from things where id = ${id}`.execute(single.db);
  expect((await find(3)).rows).toEqual([{ id: 3, name: 'thing 3' }]);
  expect((await find(7)).rows).toEqual([{ id: 7, name: 'thing 7' }]);
  // The insert and the select: two statements, however often they ran (statements without parameters are not prepared).
  expect(await prepared()).toHaveLength(2);
});

it('survives a table changed under a prepared statement: that call fails, later ones run unprepared', async () => {
  const find = (id: number) => sql<Record<string, unknown>>`select * from things where id = ${id}`.execute(single.db);
  await find(1);
  await sql`alter table things add column colour text`.execute(single.db);
  await expect(find(1)).rejects.toThrow(/cached plan must not change result type/);
  expect((await find(1)).rows).toEqual([{ id: 1, name: 'thing 1', colour: null }]);
  expect((await sql`select name from things where id = ${2}`.execute(single.db)).rows).toEqual([{ name: 'thing 2' }]);
});

it('plans a statement marked "plan once" generically, and every other statement as Postgres chooses, also after a rollback', async () => {
  const mode = async (marked: boolean) =>
    (await sql<{ mode: string }>`${sql.raw(marked ? PLAN_ONCE : '')} select current_setting('plan_cache_mode') as mode, ${1}::int as one`.execute(single.db)).rows[0]!.mode;
  expect(await mode(true)).toBe('force_generic_plan');
  expect(await mode(false)).toBe('auto');
  expect(await mode(true)).toBe('force_generic_plan');
  // A SET inside a transaction that is rolled back is undone; the connection must not trust its memory of it.
  await expect(
    single.db.transaction().execute(async (trx) => {
      await sql`${sql.raw(PLAN_ONCE)} select ${1}::int`.execute(trx);
      await sql`${sql.raw(PLAN_ONCE)} select ${1}::int`.execute(trx);
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  expect(await mode(false)).toBe('auto');
  expect(await mode(true)).toBe('force_generic_plan');
  await expect(
    single.db.transaction().execute(async (trx) => {
      await sql`select ${1}::int`.execute(trx); // resets the mode, inside the transaction
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  expect(await mode(false)).toBe('auto');
  expect(await mode(true)).toBe('force_generic_plan');
});
