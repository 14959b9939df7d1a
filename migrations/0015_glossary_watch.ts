// Glossary adherence in the channels an admin chose to watch (`glossary watch here`): which channels,
// the nudges sent (one per person, term and day), the terms a person said they use in another
// meaning (never nudged again), and per channel, retired term and week how often one was used.
// Message contents are never stored: only these counts.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('glossary_watched_channels')
    .addColumn('platform', 'text', (c) => c.notNull().check(sql`platform in ('slack', 'teams')`))
    /** Slack channel id, or Teams channel (conversation) id. */
    .addColumn('conversation_external_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text')
    .addColumn('watched_by', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('watched_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('glossary_watched_channels_pkey', ['platform', 'conversation_external_id'])
    .execute();

  await db.schema
    .createTable('glossary_nudges')
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('term_id', 'uuid', (c) => c.notNull().references('glossary_terms.id').onDelete('cascade'))
    /** The day in UTC: at most one nudge per person and term on it. */
    .addColumn('day', 'date', (c) => c.notNull())
    .addPrimaryKeyConstraint('glossary_nudges_pkey', ['person_id', 'term_id', 'day'])
    .execute();

  await db.schema
    .createTable('glossary_nudge_exceptions')
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('term_id', 'uuid', (c) => c.notNull().references('glossary_terms.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('glossary_nudge_exceptions_pkey', ['person_id', 'term_id'])
    .execute();

  await db.schema
    .createTable('glossary_adherence')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('conversation_external_id', 'text', (c) => c.notNull())
    .addColumn('term_id', 'uuid', (c) => c.notNull().references('glossary_terms.id').onDelete('cascade'))
    /** The Monday (UTC) the week starts on. */
    .addColumn('week', 'date', (c) => c.notNull())
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('glossary_adherence_pkey', ['platform', 'conversation_external_id', 'term_id', 'week'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['glossary_adherence', 'glossary_nudge_exceptions', 'glossary_nudges', 'glossary_watched_channels']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
