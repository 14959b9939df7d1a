// The click inbox: a button click whose handler is safe to run again (a vote) is written here in one
// short insert and acknowledged at once; it is then handled and deleted. A click still here after a
// crash is handled by the next serving process (src/chat/inbox.ts), so an acknowledged click is never
// lost while a burst of a thousand clicks is acknowledged at the speed of one insert each.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('click_inbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('platform', 'text', (c) => c.notNull())
    /** The ChatRequest as the adapter built it, with the time the click arrived. */
    .addColumn('request', 'jsonb', (c) => c.notNull())
    /** Where the answer goes (Slack: the response_url and the channel). */
    .addColumn('reply_to', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    /** The process that stored it handles it until then; after, any serving process may take it. */
    .addColumn('claimed_until', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(sql`0`))
    .execute();
  await db.schema.createIndex('click_inbox_claimed_until').on('click_inbox').column('claimed_until').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('click_inbox').ifExists().execute();
}
