// Slack Home tabs Steward keeps current: whose, the hash of what was last published there, and until
// when one serving process has taken it to check again (so several replicas do not all publish).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('home_views')
    .addColumn('person_id', 'uuid', (c) => c.primaryKey().references('people.id').onDelete('cascade'))
    .addColumn('installation_external_id', 'text', (c) => c.notNull())
    .addColumn('user_external_id', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_hash', 'text')
    .addColumn('checked_until', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('home_views').ifExists().execute();
}
