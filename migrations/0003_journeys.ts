// The journey tree: lifecycle → journey → task, each with an owner (inherited down unless a journey
// names its own) and an optional deputy; its change log; and owner pings with their append-only
// history. The database refuses cycles and cross-organisation links itself, whatever the caller.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('journeys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull().check(sql`key ~ '^[a-z0-9][a-z0-9-]{0,63}$'`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('lifecycle', 'journey', 'task')`))
    .addColumn('parent_id', 'uuid')
    .addColumn('owner_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('deputy_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('description', 'text', (c) => c.check(sql`length(description) <= 2000`))
    /** Where the journey's team talks (a stored conversation), for cards and later announcements. */
    .addColumn('channel_conversation_id', 'uuid', (c) => c.references('conversations.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('journeys_org_key_key', ['org_id', 'key'])
    // Lets children and pings reference (id, org_id): a parent is always in the same organisation.
    .addUniqueConstraint('journeys_id_org_key', ['id', 'org_id'])
    .addForeignKeyConstraint('journeys_parent_same_org', ['parent_id', 'org_id'], 'journeys', ['id', 'org_id'], (fk) => fk.onDelete('restrict'))
    .addCheckConstraint('journeys_not_own_parent', sql`parent_id is null or parent_id <> id`)
    .addCheckConstraint('journeys_lifecycle_is_root', sql`level <> 'lifecycle' or parent_id is null`)
    .addCheckConstraint('journeys_deputy_not_owner', sql`deputy_person_id is null or owner_person_id is null or deputy_person_id <> owner_person_id`)
    .execute();
  await db.schema.createIndex('journeys_parent_idx').on('journeys').column('parent_id').execute();
  await sql`create unique index journeys_org_name_key on journeys (org_id, lower(name))`.execute(db);

  // No cycles, whatever the caller: walking up from the new parent must never reach the journey
  // itself. The per-organisation advisory lock makes two concurrent moves (A under B, B under A)
  // take turns, and plpgsql reads each parent with a fresh snapshot, so the second one sees the first.
  await sql`
    create function journeys_refuse_cycle() returns trigger language plpgsql as $$
    declare
      current_id uuid := new.parent_id;
      depth int := 0;
    begin
      if new.parent_id is null then
        return new;
      end if;
      perform pg_advisory_xact_lock(hashtext('steward.journeys:' || new.org_id::text));
      while current_id is not null loop
        if current_id = new.id then
          raise exception 'journey % would become its own ancestor', new.key
            using errcode = '23514', constraint = 'journeys_no_cycle';
        end if;
        depth := depth + 1;
        if depth > 32 then
          raise exception 'the journey tree would be deeper than 32 levels'
            using errcode = '23514', constraint = 'journeys_max_depth';
        end if;
        select parent_id into current_id from journeys where id = current_id;
      end loop;
      return new;
    end
    $$
  `.execute(db);
  await sql`
    create trigger journeys_refuse_cycle before insert or update of parent_id on journeys
    for each row execute function journeys_refuse_cycle()
  `.execute(db);

  // Who changed the tree, and how: created, moved, owner or deputy changed (append-only).
  await db.schema
    .createTable('journey_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('journey_id', 'uuid', (c) => c.notNull().references('journeys.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('created', 'updated', 'moved', 'owner', 'deputy', 'channel', 'imported')`))
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('by_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('by_label', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('journey_events_journey_idx').on('journey_events').columns(['journey_id', 'id']).execute();

  // A ping is with one holder at a time (the accountable owner, then the owner one level up, …), or
  // with the organisation's admins when nobody up the tree owns the journey (holder null). Every
  // change is a conditional UPDATE on state and version, so racing clicks and workers produce one outcome.
  await db.schema
    .createTable('pings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('journey_id', 'uuid', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('manual', 'kpi')`))
    .addColumn('message', 'text', (c) => c.notNull().check(sql`length(message) between 1 and 2000`))
    .addColumn('from_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('sent').check(sql`state in ('sent', 'snoozed', 'acknowledged', 'resolved')`))
    .addColumn('holder_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    /** The journey whose owner holds the ping: escalation continues from its parent. */
    .addColumn('holder_journey_id', 'uuid', (c) => c.references('journeys.id'))
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(0).check(sql`level >= 0`))
    /** When it escalates if nobody acknowledges (state sent); null once there is nowhere further to go. */
    .addColumn('escalate_at', 'timestamptz')
    .addColumn('snoozed_until', 'timestamptz')
    /** Reached the top unacknowledged: no one left to escalate to, listed in the digest. */
    .addColumn('exhausted_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('pings_org_dedupe_key', ['org_id', 'dedupe_key'])
    .addForeignKeyConstraint('pings_journey_same_org', ['journey_id', 'org_id'], 'journeys', ['id', 'org_id'], (fk) => fk.onDelete('restrict'))
    .addCheckConstraint('pings_snooze_has_end', sql`state <> 'snoozed' or snoozed_until is not null`)
    .addCheckConstraint('pings_holder_has_journey', sql`holder_person_id is null or holder_journey_id is not null`)
    .execute();
  await sql`create index pings_escalation_due_idx on pings (escalate_at) where state = 'sent' and escalate_at is not null`.execute(db);
  await sql`create index pings_snooze_due_idx on pings (snoozed_until) where state = 'snoozed'`.execute(db);
  await sql`create index pings_holder_open_idx on pings (holder_person_id) where state in ('sent', 'snoozed')`.execute(db);
  await db.schema.createIndex('pings_journey_idx').on('pings').columns(['journey_id', 'created_at']).execute();

  // Every direct message a ping produced, so a change of state can update them all in place.
  await db.schema
    .createTable('ping_messages')
    .addColumn('outbox_id', 'bigint', (c) => c.primaryKey().references('outbox.id').onDelete('cascade'))
    .addColumn('ping_id', 'uuid', (c) => c.notNull().references('pings.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    /** The ping's version when it was sent: only the newest messages of the current holders carry buttons. */
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    /** Whether its delivery (or failure) is in ping_events yet; the escalation sweep records it. */
    .addColumn('delivery_recorded', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`create index ping_messages_unrecorded_idx on ping_messages (outbox_id) where not delivery_recorded`.execute(db);
  await db.schema.createIndex('ping_messages_ping_idx').on('ping_messages').column('ping_id').execute();

  // The full story of a ping, never rewritten. The partial unique indexes make each outcome a fact
  // that can be recorded once: one acknowledgement, one escalation per level, one delivery per message.
  await db.schema
    .createTable('ping_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('ping_id', 'uuid', (c) => c.notNull().references('pings.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('sent', 'delivered', 'undelivered', 'acknowledged', 'snoozed', 'reminded', 'escalated', 'exhausted', 'resolved')`),
    )
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('actor_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('to_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('to_journey_id', 'uuid', (c) => c.references('journeys.id'))
    .addColumn('until', 'timestamptz')
    .addColumn('outbox_id', 'bigint')
    .addColumn('note', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ping_events_ping_idx').on('ping_events').columns(['ping_id', 'id']).execute();
  await sql`create unique index ping_events_acknowledged_once on ping_events (ping_id) where kind = 'acknowledged'`.execute(db);
  await sql`create unique index ping_events_resolved_once on ping_events (ping_id) where kind = 'resolved'`.execute(db);
  await sql`create unique index ping_events_escalated_once on ping_events (ping_id, level) where kind = 'escalated'`.execute(db);
  await sql`create unique index ping_events_exhausted_once on ping_events (ping_id, level) where kind = 'exhausted'`.execute(db);
  await sql`create unique index ping_events_delivered_once on ping_events (outbox_id) where kind in ('delivered', 'undelivered')`.execute(db);

  // History is append-only: an UPDATE or DELETE of a ping event (or a DELETE of a ping) is refused.
  await sql`
    create function steward_refuse_history_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only', tg_table_name using errcode = '55000';
    end
    $$
  `.execute(db);
  await sql`
    create trigger ping_events_append_only before update or delete on ping_events
    for each row execute function steward_refuse_history_change()
  `.execute(db);
  await sql`
    create trigger journey_events_append_only before update or delete on journey_events
    for each row execute function steward_refuse_history_change()
  `.execute(db);
  await sql`
    create trigger pings_never_deleted before delete on pings
    for each row execute function steward_refuse_history_change()
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['ping_events', 'ping_messages', 'pings', 'journey_events', 'journeys']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists steward_refuse_history_change()`.execute(db);
  await sql`drop function if exists journeys_refuse_cycle()`.execute(db);
}
