// Governance rhythm: one row per digest (or reminder) period actually posted, so that however many
// workers run, each period is posted exactly once; and per-channel send slots for rate limiting.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('governance_runs')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('digest', 'vote-reminder')`))
    /** The scheduled slot this run stands for, in UTC ISO form. */
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('ran_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('outbox_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addPrimaryKeyConstraint('governance_runs_pkey', ['org_id', 'kind', 'period_key'])
    .execute();

  await db.schema
    .createTable('channel_send_slots')
    /** platform:channel — one row per destination channel. */
    .addColumn('channel_key', 'text', (c) => c.primaryKey())
    /** The earliest moment the next message may go to this channel. */
    .addColumn('next_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('channel_send_slots').ifExists().execute();
  await db.schema.dropTable('governance_runs').ifExists().execute();
}
