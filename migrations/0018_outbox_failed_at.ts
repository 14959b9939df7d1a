// When a message failed for good, by the business clock like everything else a ping's history records
// (src/delivery/deliver.ts businessClock): a ping's "could not reach" is told at that moment, before
// what the failure caused (the ping passed on), instead of at the row's creation by the database's clock.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbox add column failed_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbox drop column if exists failed_at`.execute(db);
}
