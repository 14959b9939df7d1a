// A pg client that turns every parameterised statement into a named prepared statement on its
// connection. Postgres then parses, analyses and (once its plan cache settles) plans each of our
// statements once per connection instead of once per call; for short lookups that work costs more
// than running them (measured in bench/glossary: 0.25–0.35 ms of planning against 0.005–0.2 ms of
// execution). The statement text is the same for every call of a query (Kysely passes values
// separately), so the text names the statement.
import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * A statement that begins with this comment is planned once per connection and that plan reused
 * (plan_cache_mode = force_generic_plan while it runs). Postgres otherwise keeps re-planning a
 * prepared statement on every call when its plan for the given values looks cheaper than the
 * generic one, which for the glossary's lookups costs 0.5–0.7 ms of planning against 0.1–0.3 ms
 * of execution. Only for statements whose generic plan was checked to use the same indexes (a
 * `like` with a parameter as its pattern, for one, cannot use an index in a generic plan).
 */
export const PLAN_ONCE = '/* plan once */';

/** Prepared statements a connection keeps at most; statements beyond these run unnamed, as before. */
const MAX_PREPARED_PER_CONNECTION = 500;
/** Statement names remembered process-wide (hashing a long statement text on every call costs too). */
const MAX_NAMES = 5_000;

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `steward_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    if (names.size >= MAX_NAMES) names.clear();
    names.set(text, name);
  }
  return name;
}

/**
 * Postgres refuses a prepared statement whose result columns changed under it (a migration altered
 * a table another process had prepared against). That call fails; the connection then stops
 * preparing and runs every later statement unnamed, as pg does by default.
 */
function isStalePlan(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === '0A000' && /cached plan/i.test(error.message);
}

export class PreparingClient extends pg.Client {
  private prepared = new Set<string>();
  private stale = false;
  /** Whether the session plans generically now; undefined when not known (a rollback undoes a SET). */
  private planOnce: boolean | undefined = false;

  // pg.Client.query has many overloads; only the (text, values) form with values is rewritten.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string') this.choosePlanning(text);
    if (!this.stale && args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(text);
      if (this.prepared.has(name) || this.prepared.size < MAX_PREPARED_PER_CONNECTION) {
        this.prepared.add(name);
        const result = super.query({ name, text, values }) as Promise<pg.QueryResult>;
        return result.catch((error: unknown) => {
          if (isStalePlan(error)) this.stale = true;
          throw error;
        }) as never;
      }
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }

  /**
   * Sets the session's plan_cache_mode for the statement about to run, when it differs from the
   * last one's. pg sends queries in order, so the SET runs just before the statement (one short
   * round trip, only on a change). Its failure shows in the statement itself.
   */
  private choosePlanning(text: string): void {
    if (/^\s*rollback/i.test(text)) {
      this.planOnce = undefined;
      return;
    }
    if (/^\s*(begin|commit|start|savepoint|release)\b/i.test(text)) return;
    const wanted = text.startsWith(PLAN_ONCE);
    if (wanted === this.planOnce) return;
    this.planOnce = wanted;
    const setting = wanted ? 'set plan_cache_mode = force_generic_plan' : 'reset plan_cache_mode';
    (super.query(setting) as Promise<unknown>).catch(() => {
      this.planOnce = undefined;
    });
  }
}
