// Statements compiled by Kysely once per process. Kysely builds a query's tree and compiles it to
// SQL on every call: for the statements a delivery worker runs for every message, 20–100 µs of CPU
// a call (the outbox claim about 100 µs, measured with a driver that does nothing), a few per cent
// of a worker's time in a burst. Their text never changes, only their values: they are compiled
// once, with stand-ins where the values go, and each call puts its own values in their places.
import type { Compilable, CompiledQuery, Kysely, QueryResult, Transaction } from 'kysely';
import type { Database } from './tables.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Where a value goes; Kysely passes it through as a parameter like any other value. */
class StandIn {
  constructor(readonly name: string) {}
}

/**
 * A statement built by `build` from named values, compiled on its first call. `build` may only pass
 * its values into the statement (as Kysely values or `sql` parameters), never compute with them: the
 * first call fails if a value does not end up as a parameter. The compiled text is Postgres's, the
 * same for every executor (a pool, a transaction, PGlite).
 */
export function compiledOnce<V extends Record<string, unknown>, R>(build: (db: Executor, values: V) => Compilable<R>): (db: Executor, values: V) => Promise<QueryResult<R>> {
  let compiled: { query: CompiledQuery<R>; names: (string | undefined)[] } | undefined;
  return async (db, values) => {
    compiled ??= compile(db, build, Object.keys(values));
    const { query, names } = compiled;
    const parameters = query.parameters.map((parameter, i) => {
      const name = names[i];
      return name === undefined ? parameter : values[name];
    });
    return db.executeQuery<R>({ ...query, parameters });
  };
}

function compile<V extends Record<string, unknown>, R>(db: Executor, build: (db: Executor, values: V) => Compilable<R>, keys: string[]) {
  const standIns = Object.fromEntries(keys.map((key) => [key, new StandIn(key)])) as unknown as V;
  const query = build(db, standIns).compile();
  const names = query.parameters.map((parameter) => (parameter instanceof StandIn ? parameter.name : undefined));
  const unused = keys.filter((key) => !names.includes(key));
  if (unused.length > 0) throw new Error(`a statement compiled once does not take ${unused.join(', ')} as parameters`);
  return { query, names };
}
