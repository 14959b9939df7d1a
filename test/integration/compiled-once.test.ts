// Statements compiled once (src/db/compiled-once.ts), against real databases: every call runs with
// its own values, wherever a value appears, in a transaction as on the pool, and a statement that
// computes with a value instead of passing it on is refused at its first call.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledOnce } from '../../src/db/compiled-once.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

describe.each(DATABASE_KINDS)('a statement compiled once, on %s', (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('runs every call with its own values, a value used twice in both places, beside the constants of the statement', async () => {
    database = await createTestDatabase(kind);
    const { db } = database;
    const acme = await orgsRepo.createOrganisation(db, 'Acme');
    const globex = await orgsRepo.createOrganisation(db, 'Globex');
    const named = compiledOnce((db, { id, label }: { id: string; label: string }) =>
      db
        .selectFrom('organisations')
        .select(['name', sql<string>`${label} || ':' || name || ':' || ${label}`.as('labelled'), sql<string>`${'constant'}`.as('constant')])
        .where('id', '=', id),
    );
    expect((await named(db, { id: acme.id, label: 'first' })).rows).toEqual([{ name: 'Acme', labelled: 'first:Acme:first', constant: 'constant' }]);
    expect((await named(db, { id: globex.id, label: 'second' })).rows).toEqual([{ name: 'Globex', labelled: 'second:Globex:second', constant: 'constant' }]);
    // In a transaction, whose changes it sees.
    const inside = await db.transaction().execute(async (trx) => {
      await trx.updateTable('organisations').set({ name: 'Globex Inc' }).where('id', '=', globex.id).execute();
      return (await named(trx, { id: globex.id, label: 'third' })).rows;
    });
    expect(inside).toEqual([{ name: 'Globex Inc', labelled: 'third:Globex Inc:third', constant: 'constant' }]);
  });

  it('refuses, at its first call, a statement that computes with a value instead of passing it on', async () => {
    database = await createTestDatabase(kind);
    const { db } = database;
    const computed = compiledOnce((db, { suffix }: { suffix: string }) => db.selectFrom('organisations').select('name').where('name', '=', `Acme ${suffix}`));
    await expect(computed(db, { suffix: 'Inc' })).rejects.toThrow('does not take suffix as parameters');
  });
});
