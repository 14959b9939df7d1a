// The lookup log is written behind the answers: batched, in order, kept while the database refuses
// it, never blocked by a row that can no longer be written, and never held up by an edit of the term
// it found (it does not lock the term). On Postgres and on PGlite.
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { LookupLog } from '../../src/glossary/lookup-log.js';
import { insertLookups, type LookupEntry } from '../../src/glossary/repo/stats.js';
import { createLogger } from '../../src/log.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

describe.each(DATABASE_KINDS)('glossary lookup log on %s', (kind) => {
  let database: TestDatabase;
  let orgId: string;
  const log = createLogger('silent');

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    orgId = (await orgsRepo.createOrganisation(database.db, `Org ${Math.random()}`)).id;
  });

  const entry = (query: string, at = new Date('2026-03-12T10:00:00Z')): LookupEntry => ({
    orgId,
    query,
    queryNorm: query.toLowerCase(),
    termId: null,
    outcome: 'miss',
    personId: null,
    platform: 'slack',
    at,
  });
  const logged = async () =>
    (await database.db.selectFrom('glossary_lookups').select('query').where('org_id', '=', orgId).orderBy('id').execute()).map((r) => r.query);

  it('writes nothing until it flushes, then everything in the order recorded, in batches', async () => {
    const lookups = new LookupLog(database.db, log, { flushEveryMs: 60_000, batchSize: 3 });
    lookups.record(entry('one'));
    lookups.record(entry('two'));
    expect(await logged()).toEqual([]);
    lookups.record(entry('three')); // the third fills a batch: written without waiting for the timer
    lookups.record(entry('four'));
    await lookups.flush();
    expect(await logged()).toEqual(['one', 'two', 'three', 'four']);
    await lookups.close();
  });

  it('writes every column as recorded, whatever the text holds', async () => {
    const lookups = new LookupLog(database.db, log, { flushEveryMs: 60_000 });
    const awkward = `say "hi" \\ back\\slash, it's 'quoted', {braces}, [x], ü, 😀, tab\tand null-ish NULL`;
    const at = new Date('2026-03-12T10:00:00.123Z');
    const personId = (await orgsRepo.createPerson(database.db, orgId, 'Dana', null)).id;
    lookups.record({ ...entry(awkward, at), queryNorm: 'say hi back', outcome: 'found', personId, platform: 'teams' });
    await lookups.flush();
    const row = await database.db.selectFrom('glossary_lookups').selectAll().where('org_id', '=', orgId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ query: awkward, query_norm: 'say hi back', term_id: null, outcome: 'found', person_id: personId, platform: 'teams' });
    expect(new Date(row.created_at).toISOString()).toBe(at.toISOString());
    await lookups.close();
  });

  it('writes what was recorded before a flush; what comes during its write waits for the next flush', async () => {
    const lookups = new LookupLog(database.db, log, { flushEveryMs: 60_000 });
    const writes: string[][] = [];
    const spied = lookups as unknown as { write: (batch: LookupEntry[]) => Promise<void> };
    const write = spied.write.bind(lookups);
    spied.write = (batch) => {
      writes.push(batch.map((e) => e.query));
      if (writes.length === 1) lookups.record(entry('during')); // a lookup answered while the first write runs
      return write(batch);
    };
    lookups.record(entry('before'));
    await lookups.flush();
    expect(await logged()).toEqual(['before']);
    await lookups.flush();
    expect(await logged()).toEqual(['before', 'during']);
    expect(writes).toEqual([['before'], ['during']]);
    await lookups.close();
  });

  it('asks for one more write while a write runs, however many lookups past a full batch arrive meanwhile', async () => {
    const lookups = new LookupLog(database.db, log, { flushEveryMs: 60_000, batchSize: 3 });
    const writes: string[][] = [];
    const spied = lookups as unknown as { write: (batch: LookupEntry[]) => Promise<void>; writing: Promise<void> };
    const write = spied.write.bind(lookups);
    spied.write = (batch) => {
      writes.push(batch.map((e) => e.query));
      // Lookups answered while a write runs: a full batch and one more during the first, one during the second.
      if (writes.length === 1) for (const q of ['d', 'e', 'f', 'g']) lookups.record(entry(q));
      if (writes.length === 2) lookups.record(entry('h'));
      return write(batch);
    };
    for (const q of ['a', 'b', 'c']) lookups.record(entry(q)); // a full batch: written now
    for (let writing = spied.writing; ; writing = spied.writing) {
      await writing;
      if (writing === spied.writing) break;
    }
    // What arrived during the first write went in one more flush after it; "h", which came during
    // that one and fills no batch, waits for the timer instead of a write of its own.
    expect(writes).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
    await lookups.close();
    expect(await logged()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it("does not wait for the disk on the log's commit, and leaves the connection's setting as it was", async () => {
    await database.db.connection().execute(async (connection) => {
      const before = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(connection);
      await insertLookups(connection, [entry('one'), entry('two')]);
      const after = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(connection);
      expect(after.rows).toEqual(before.rows);
    });
    expect(await logged()).toEqual(['one', 'two']);
  });

  it('flushes on its own after the interval', async () => {
    const lookups = new LookupLog(database.db, log, { flushEveryMs: 20 });
    lookups.record(entry('soon'));
    await expect.poll(logged, { timeout: 5_000, interval: 20 }).toEqual(['soon']);
    await lookups.close();
  });

  it('keeps what the database refuses and writes it once the database takes it again', async () => {
    const lookups = new LookupLog(database.db, log, { flushEveryMs: 60_000 });
    // The table refuses every insert for a moment. (Not by renaming it: migrations running meanwhile in
    // other tests' schemas look up every table by name, and a renamed one fails them.)
    await sql`create function refuse_lookups() returns trigger language plpgsql as $$ begin raise exception 'lookups refused'; end $$`.execute(database.db);
    await sql`create trigger refuse_lookups before insert on glossary_lookups for each statement execute function refuse_lookups()`.execute(database.db);
    try {
      lookups.record(entry('kept'));
      await lookups.flush();
    } finally {
      await sql`drop trigger refuse_lookups on glossary_lookups`.execute(database.db);
      await sql`drop function refuse_lookups()`.execute(database.db);
    }
    expect(await logged()).toEqual([]);
    lookups.record(entry('after'));
    await lookups.flush();
    expect(await logged()).toEqual(['kept', 'after']);
    await lookups.close();
  });

  it('leaves out only the rows that can never be written (their organisation was removed meanwhile)', async () => {
    const gone = (await orgsRepo.createOrganisation(database.db, `Gone ${Math.random()}`)).id;
    const lookups = new LookupLog(database.db, log, { flushEveryMs: 60_000 });
    lookups.record(entry('before'));
    lookups.record({ ...entry('orphan'), orgId: gone });
    lookups.record(entry('after'));
    await database.db.deleteFrom('organisations').where('id', '=', gone).execute();
    await lookups.flush();
    expect(await logged()).toEqual(['before', 'after']);
    await lookups.close();
  });
});

// Only Postgres has a second session to hold a term's row (PGlite is one connection).
describe('glossary lookup log beside an edit, on postgres', () => {
  let database: TestDatabase;
  let orgId: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    orgId = (await orgsRepo.createOrganisation(database.db, 'Edited org')).id;
  });
  afterAll(async () => {
    await database.drop();
  });
  const logged = async () => (await database.db.selectFrom('glossary_lookups').select('query').where('org_id', '=', orgId).execute()).map((r) => r.query);

  it('logs a lookup of a term without locking the term: a term being edited does not hold it up', async () => {
    const imported = await importGlossaryCsv(database.db, orgId, 'term,aliases,definition,notes,steward,status\nChurn rate,,Share of customers who leave in a period.,,,approved\n', { by: 'test', now: new Date('2026-03-12T10:00:00Z') });
    expect(imported.problems).toEqual([]);
    const term = await database.db.selectFrom('glossary_terms').select('id').where('org_id', '=', orgId).executeTakeFirstOrThrow();
    // Another session edits the term and has not committed yet: its row is locked for update.
    const editor = new pg.Client({ connectionString: database.url });
    await editor.connect();
    try {
      await editor.query('begin');
      await editor.query('select id from glossary_terms where id = $1 for update', [term.id]);
      const written = insertLookups(database.db, [{ orgId, query: 'churn rate', queryNorm: 'churn rate', termId: term.id, outcome: 'found', personId: null, platform: 'slack', at: new Date() }]).then(() => 'written');
      const waited = new Promise((resolve) => setTimeout(() => resolve('waited for the edit'), 3_000));
      expect(await Promise.race([written, waited])).toBe('written');
    } finally {
      await editor.query('rollback');
      await editor.end();
    }
    expect(await logged()).toEqual(['churn rate']);
  });
});
