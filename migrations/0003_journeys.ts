// The journey tree: lifecycle → journey → task, each with an owner (inherited down unless a journey
// names its own) and an optional deputy.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('journeys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull().check(sql`key ~ '^[a-z0-9][a-z0-9-]{0,63}$'`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('lifecycle', 'journey', 'task')`))
    .addColumn('parent_id', 'uuid', (c) => c.references('journeys.id').onDelete('restrict'))
    .addColumn('owner_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('deputy_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('description', 'text', (c) => c.check(sql`length(description) <= 2000`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('journeys_org_key_key', ['org_id', 'key'])
    .addCheckConstraint('journeys_not_own_parent', sql`parent_id is null or parent_id <> id`)
    .execute();
  await db.schema.createIndex('journeys_parent_idx').on('journeys').column('parent_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('journeys').ifExists().execute();
}
