// Listens for the change notices whose triggers src/db/remembered-tables.ts declares (installed by
// migrations/0009_remembered_tables.ts; each names the changed table or a narrower notice). On Postgres: one connection
// of its own (LISTEN holds a session), reconnecting with a growing pause when it drops; notices of
// other schemas in the same database (other Steward deployments, parallel tests) are ignored. On
// PGlite: the embedded database's own listen().
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Logger } from '../log.js';

/** "<schema> <table>" for every statement that changed something a remembered answer may show. */
export const CHANGE_CHANNEL = 'steward_table_changes';

/** The schema and table a notice names. */
function parseNotice(payload: string | undefined): { schema: string; table: string } | undefined {
  const space = payload?.lastIndexOf(' ') ?? -1;
  return payload && space > 0 ? { schema: payload.slice(0, space), table: payload.slice(space + 1) } : undefined;
}

export interface ChangeNoticeHandlers {
  /** Something in `table` changed (in this process, another one, or the CLI). */
  changed(table: string): void;
  /** Listening (again): from now on no change goes unnoticed. */
  listening(): void;
  /** The listener lost its connection: changes may go unnoticed until `listening` is called again. */
  lost(): void;
}

export interface ChangeNotices {
  close(): Promise<void>;
}

export interface PostgresTarget {
  url: string;
  /** The schema on the search_path (tests); notices from other schemas are ignored. */
  schema?: string;
}

export function listenOnPostgres(target: PostgresTarget, handlers: ChangeNoticeHandlers, log: Logger): ChangeNotices {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let pauseMs = 500;

  const connect = async () => {
    retry = undefined;
    const next = new pg.Client({
      connectionString: target.url,
      // Named, so an operator (or a test) can tell this session from the pool's.
      application_name: `steward change notices ${target.schema ?? ''}`.trim().slice(0, 63),
      ...(target.schema ? { options: `-c search_path=${target.schema},public` } : {}),
    });
    let given = false;
    const giveUp = (error?: unknown) => {
      if (given) return;
      given = true;
      if (client === next) client = undefined;
      void next.end().catch(() => {});
      if (closed) return;
      handlers.lost();
      log.warn({ err: error, retryInMs: pauseMs }, 'change notices: connection lost; cached glossary answers are off until it is back');
      retry = setTimeout(() => void connect(), pauseMs);
      pauseMs = Math.min(pauseMs * 2, 15_000);
    };
    next.on('error', giveUp);
    next.on('end', () => giveUp());
    try {
      await next.connect();
      const schema = (await next.query<{ schema: string }>('select current_schema() as schema')).rows[0]?.schema;
      next.on('notification', (notice) => {
        const changed = notice.channel === CHANGE_CHANNEL ? parseNotice(notice.payload) : undefined;
        if (changed && changed.schema === schema) handlers.changed(changed.table);
      });
      await next.query(`listen ${CHANGE_CHANNEL}`);
      if (closed) {
        given = true;
        await next.end().catch(() => {});
        return;
      }
      client = next;
      pauseMs = 500;
      handlers.listening();
    } catch (error) {
      giveUp(error);
    }
  };
  void connect();

  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const last = client;
      client = undefined;
      await last?.end().catch(() => {});
    },
  };
}

export async function listenOnPGlite(client: PGlite, handlers: ChangeNoticeHandlers): Promise<ChangeNotices> {
  const unsubscribe = await client.listen(CHANGE_CHANNEL, (payload) => {
    const changed = parseNotice(payload);
    if (changed) handlers.changed(changed.table);
  });
  handlers.listening();
  return { close: () => unsubscribe() };
}
