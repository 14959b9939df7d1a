// Inbound platform events already taken: Slack redelivers an Events API event (same event_id, with
// x-slack-retry-num) and the Bot Framework may redeliver an activity (same id). One row per event,
// claimed before it is handled, makes a redelivery, to this or any other process, do nothing twice.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inbound_events')
    /** `slack:<event_id>` or `teams:<conversation id>:<activity id>`. */
    .addColumn('event_key', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('inbound_events_received_at').on('inbound_events').column('received_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inbound_events').ifExists().execute();
}
