// Reaching people known only by e-mail: what Steward learnt when it last tried to find a person on a
// platform (so a Slack "no such user" is not asked again on every send), the Teams rosters it has
// read (members with their e-mail, name and Bot Framework id, to open a 1:1 chat with them), and per
// person the platform they chose and whether Steward has welcomed them yet.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reach_checks')
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('platform', 'text', (c) => c.notNull().check(sql`platform in ('slack', 'teams')`))
    .addColumn('reachable', 'boolean', (c) => c.notNull())
    /** Why not, in words a person can act on; null when reachable. */
    .addColumn('reason', 'text')
    .addColumn('checked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('reach_checks_pkey', ['person_id', 'platform'])
    .execute();

  await db.schema
    .createTable('teams_roster')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('aad_object_id', 'text', (c) => c.notNull())
    /** The Bot Framework member id (29:…), which a new 1:1 conversation is created with. */
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('user_principal_name', 'text')
    /** Where this roster was read: the service URL a 1:1 conversation with the member is created at. */
    .addColumn('service_url', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('teams_roster_pkey', ['tenant_id', 'aad_object_id'])
    .execute();
  await sql`create index teams_roster_email_idx on teams_roster (lower(email))`.execute(db);
  await sql`create index teams_roster_upn_idx on teams_roster (lower(user_principal_name))`.execute(db);

  await db.schema
    .alterTable('people')
    .addColumn('preferred_platform', 'text', (c) => c.check(sql`preferred_platform in ('slack', 'teams')`))
    .execute();
  await db.schema.alterTable('people').addColumn('welcomed_at', 'timestamptz').execute();
  // Whoever has already used Steward has met it: only people reached first by Steward get a welcome.
  await sql`update people set welcomed_at = now() where exists (select 1 from identities i where i.person_id = people.id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('people').dropColumn('welcomed_at').execute();
  await db.schema.alterTable('people').dropColumn('preferred_platform').execute();
  await db.schema.dropTable('teams_roster').ifExists().execute();
  await db.schema.dropTable('reach_checks').ifExists().execute();
}
