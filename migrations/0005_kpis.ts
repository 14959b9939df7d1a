// KPIs of journeys (definitions with direction, thresholds and cadence), their values per period and
// segment with an append-only history of replaced values, alert state per KPI and segment with an
// append-only event log, and the API tokens that authenticate ingest (stored hashed, revocable, one
// organisation each).
import { sql, type Kysely } from 'kysely';

const finite = (column: string) => sql`${sql.ref(column)} > '-Infinity'::float8 and ${sql.ref(column)} < 'Infinity'::float8`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('kpis')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('journey_id', 'uuid', (c) => c.notNull().references('journeys.id').onDelete('restrict'))
    .addColumn('key', 'text', (c) => c.notNull().check(sql`key ~ '^[a-z0-9][a-z0-9-]{0,63}$'`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn('unit', 'text', (c) => c.notNull().defaultTo('').check(sql`length(unit) <= 32`))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('higher', 'lower')`))
    .addColumn('target', 'float8', (c) => c.notNull())
    .addColumn('warning', 'float8', (c) => c.notNull())
    .addColumn('breach', 'float8', (c) => c.notNull())
    .addColumn('cadence', 'text', (c) => c.notNull().check(sql`cadence in ('week', 'month')`))
    // The term as the KPI names it, and the glossary entry it resolved to (when the glossary has it):
    // the snapshot shows that entry's current definition, so KPI and glossary never drift apart.
    .addColumn('glossary_term', 'text', (c) => c.check(sql`length(glossary_term) between 1 and 200`))
    .addColumn('glossary_term_id', 'uuid', (c) => c.references('glossary_terms.id').onDelete('set null'))
    .addColumn('breach_periods', 'integer', (c) => c.notNull().defaultTo(2).check(sql`breach_periods between 1 and 52`))
    .addColumn('remind_every_periods', 'integer', (c) => c.notNull().defaultTo(4).check(sql`remind_every_periods between 1 and 52`))
    // Bumped by every ingest that touches the KPI; alert evaluation records how far it got, so a
    // sweep finds KPIs whose evaluation job was lost.
    .addColumn('values_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('alerts_evaluated_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('kpis_org_key_key', ['org_id', 'key'])
    .addCheckConstraint('kpis_thresholds_finite', sql`${finite('target')} and ${finite('warning')} and ${finite('breach')}`)
    // Thresholds run from the target towards worse: a breach is never better than a warning.
    .addCheckConstraint(
      'kpis_thresholds_ordered',
      sql`(direction = 'higher' and target >= warning and warning >= breach) or (direction = 'lower' and target <= warning and warning <= breach)`,
    )
    .execute();
  await db.schema.createIndex('kpis_journey_idx').on('kpis').column('journey_id').execute();
  await db.schema.createIndex('kpis_alert_backlog_idx').on('kpis').column('id').where(sql<boolean>`values_version > alerts_evaluated_version`).execute();

  await db.schema
    .createTable('kpi_values')
    .addColumn('kpi_id', 'uuid', (c) => c.notNull().references('kpis.id').onDelete('cascade'))
    .addColumn('segment', 'text', (c) => c.notNull().defaultTo('all').check(sql`segment ~ '^[a-z0-9][a-z0-9_-]{0,63}$'`))
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('value', 'float8', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`length(source) between 1 and 200`))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('kpi_values_pkey', ['kpi_id', 'segment', 'period_start'])
    .addCheckConstraint('kpi_values_value_finite', finite('value'))
    .execute();

  await db.schema
    .createTable('kpi_value_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('kpi_id', 'uuid', (c) => c.notNull().references('kpis.id').onDelete('cascade'))
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('old_value', 'float8', (c) => c.notNull())
    .addColumn('new_value', 'float8', (c) => c.notNull())
    .addColumn('old_source', 'text', (c) => c.notNull())
    .addColumn('new_source', 'text', (c) => c.notNull())
    .addColumn('old_received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('replaced_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kpi_value_history_value_idx').on('kpi_value_history').columns(['kpi_id', 'segment', 'period_start']).execute();

  await db.schema
    .createTable('kpi_alerts')
    .addColumn('kpi_id', 'uuid', (c) => c.notNull().references('kpis.id').onDelete('cascade'))
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('ok').check(sql`state in ('ok', 'breached')`))
    .addColumn('breach_since', 'date')
    .addColumn('last_notified_period', 'date')
    .addColumn('muted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('muted_by_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    // The journey ping that told the owner (or, without pings, the direct message), and the message in
    // the journey's channel that recovery edits.
    .addColumn('owner_outbox_id', 'bigint', (c) => c.references('outbox.id').onDelete('set null'))
    .addColumn('channel_outbox_id', 'bigint', (c) => c.references('outbox.id').onDelete('set null'))
    .addColumn('ping_id', 'uuid', (c) => c.references('pings.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('kpi_alerts_pkey', ['kpi_id', 'segment'])
    .addCheckConstraint('kpi_alerts_breach_since', sql`(state = 'breached') = (breach_since is not null)`)
    .addCheckConstraint('kpi_alerts_muted_only_breached', sql`not muted or state = 'breached'`)
    .execute();

  await db.schema
    .createTable('kpi_alert_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('kpi_id', 'uuid', (c) => c.notNull().references('kpis.id').onDelete('cascade'))
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('fired', 'reminded', 'recovered', 'muted', 'undeliverable')`))
    .addColumn('period_start', 'date')
    .addColumn('value', 'float8')
    /** Who the event's message went to, and which outbox row carried it (one event per message). */
    .addColumn('target', 'text', (c) => c.check(sql`target in ('owner', 'channel', 'admin')`))
    .addColumn('outbox_id', 'bigint')
    .addColumn('by_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('kpi_alert_events_kpi_idx').on('kpi_alert_events').columns(['kpi_id', 'segment', 'at']).execute();
  await db.schema.createIndex('kpi_alert_events_at_idx').on('kpi_alert_events').column('at').execute();
  // Admins hear once about each alert message that could not be delivered.
  await db.schema
    .createIndex('kpi_alert_events_undeliverable_key')
    .unique()
    .on('kpi_alert_events')
    .column('outbox_id')
    .where(sql.ref('kind'), '=', 'undeliverable')
    .execute();

  // History stays as written: no update ever, and a delete only when the KPI itself goes (a cascade
  // runs inside the foreign key's own trigger, one level deeper).
  await sql`
    create function kpi_history_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' or pg_trigger_depth() < 2 then
        raise exception '% is append-only', tg_table_name using errcode = 'P0001';
      end if;
      return old;
    end
    $$
  `.execute(db);
  for (const table of ['kpi_value_history', 'kpi_alert_events']) {
    await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)} for each row execute function kpi_history_append_only()`.execute(db);
  }

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 80`))
    /** SHA-256 of the whole token; the token itself is shown once and never stored. */
    .addColumn('token_hash', 'text', (c) => c.notNull().unique().check(sql`token_hash ~ '^[0-9a-f]{64}$'`))
    /** The first characters of the token, so a person can tell tokens apart. */
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('requests_per_minute', 'integer', (c) => c.notNull().defaultTo(600).check(sql`requests_per_minute between 1 and 1000000`))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('api_tokens_org_name_active_key')
    .unique()
    .on('api_tokens')
    .columns(['org_id', 'name'])
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['api_tokens', 'kpi_alert_events', 'kpi_alerts', 'kpi_value_history', 'kpi_values', 'kpis']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists kpi_history_append_only()`.execute(db);
}
