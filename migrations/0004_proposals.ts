// Improvement proposals and board voting: proposals (numbered per organisation), where their cards
// were posted, one ballot per board member, an append-only vote log, decisions written once, and an
// append-only history of status changes.
import { sql, type Kysely } from 'kysely';

const CHOICES = sql`('approve', 'reject', 'abstain')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  // History rows are evidence for the governance record: once written they never change.
  await sql`
    create or replace function proposal_history_forbid_update() returns trigger language plpgsql as $$
    begin
      raise exception '% rows are append-only; write a new row instead', tg_table_name;
    end
    $$
  `.execute(db);

  await db.schema
    .createTable('proposals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number > 0`))
    /** The form that created it, so a second click on Submit finds the same proposal. */
    .addColumn('submission_key', 'text')
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 1 and 150`))
    .addColumn('problem', 'text', (c) => c.notNull().check(sql`length(problem) between 1 and 2000`))
    .addColumn('journey_id', 'uuid', (c) => c.references('journeys.id').onDelete('set null'))
    .addColumn('kpi_impact', 'text', (c) => c.check(sql`length(kpi_impact) <= 500`))
    .addColumn('effort', 'smallint', (c) => c.notNull().check(sql`effort between 1 and 5`))
    .addColumn('customer_value', 'smallint', (c) => c.notNull().check(sql`customer_value between 1 and 5`))
    .addColumn('business_value', 'smallint', (c) => c.notNull().check(sql`business_value between 1 and 5`))
    .addColumn('proposer_person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('draft').check(sql`status in ('draft', 'open', 'approved', 'rejected', 'no_quorum', 'withdrawn', 'in_progress', 'done')`),
    )
    /** The decision rule as it stood when voting opened: later settings changes do not move the goalposts. */
    .addColumn('rule', 'jsonb')
    .addColumn('opened_at', 'timestamptz')
    .addColumn('deadline', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('proposals_org_number_key', ['org_id', 'number'])
    .addUniqueConstraint('proposals_org_submission_key', ['org_id', 'submission_key'])
    .addCheckConstraint(
      'proposals_opened_has_rule',
      sql`status = 'draft' or (status = 'withdrawn' and opened_at is null) or (rule is not null and opened_at is not null and deadline > opened_at)`,
    )
    .execute();
  await db.schema.createIndex('proposals_open_deadline_idx').on('proposals').columns(['deadline']).where(sql.ref('status'), '=', 'open').execute();
  await db.schema.createIndex('proposals_journey_idx').on('proposals').column('journey_id').execute();

  await db.schema
    .createTable('proposal_posts')
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    /** The outbox row that posts the card; updates and thread replies refer to it. */
    .addColumn('outbox_id', 'bigint', (c) => c.notNull().references('outbox.id').onDelete('cascade'))
    /** The update of this card waiting to be sent: votes while it waits need no update of their own. */
    .addColumn('pending_update_outbox_id', 'bigint')
    /** The update of this card being delivered right now, so updates never overtake each other. */
    .addColumn('inflight_outbox_id', 'bigint')
    /** When the last update of this card was sent: updates keep at least a second apart. */
    .addColumn('last_update_at', 'timestamptz')
    .addPrimaryKeyConstraint('proposal_posts_pkey', ['proposal_id', 'conversation_id'])
    .execute();

  await db.schema
    .createTable('proposal_ballots')
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('choice', 'text', (c) => c.notNull().check(sql`choice in ${CHOICES}`))
    .addColumn('comment', 'text', (c) => c.check(sql`length(comment) <= 500`))
    .addColumn('cast_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('proposal_ballots_pkey', ['proposal_id', 'person_id'])
    .execute();

  await db.schema
    .createTable('proposal_vote_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('choice', 'text', (c) => c.notNull().check(sql`choice in ${CHOICES}`))
    .addColumn('previous_choice', 'text', (c) => c.check(sql`previous_choice in ${CHOICES}`))
    .addColumn('comment', 'text', (c) => c.check(sql`length(comment) <= 500`))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('proposal_vote_log_proposal_idx').on('proposal_vote_log').columns(['proposal_id', 'id']).execute();

  await db.schema
    .createTable('proposal_decisions')
    .addColumn('proposal_id', 'uuid', (c) => c.primaryKey().references('proposals.id').onDelete('cascade'))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('approved', 'rejected', 'no_quorum')`))
    .addColumn('approve', 'integer', (c) => c.notNull().check(sql`approve >= 0`))
    .addColumn('reject', 'integer', (c) => c.notNull().check(sql`reject >= 0`))
    .addColumn('abstain', 'integer', (c) => c.notNull().check(sql`abstain >= 0`))
    .addColumn('not_voted', 'integer', (c) => c.notNull().check(sql`not_voted >= 0`))
    .addColumn('board_size', 'integer', (c) => c.notNull().check(sql`board_size >= 0`))
    .addColumn('quorum_required', 'integer', (c) => c.notNull().check(sql`quorum_required >= 1`))
    .addColumn('rule', 'jsonb', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('proposal_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('created', 'opened', 'extended', 'withdrawn', 'decided', 'progressed')`))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('by_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('proposal_events_proposal_idx').on('proposal_events').columns(['proposal_id', 'id']).execute();

  for (const table of ['proposal_vote_log', 'proposal_decisions', 'proposal_events']) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update on ${sql.table(table)} for each row execute function proposal_history_forbid_update()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['proposal_events', 'proposal_decisions', 'proposal_vote_log', 'proposal_ballots', 'proposal_posts', 'proposals']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists proposal_history_forbid_update()`.execute(db);
}
