// Change notices: after any statement that changes what a remembered answer shows (glossary terms,
// aliases, vocabulary, proposals; KPIs, their values, the journeys they belong to; people and their
// platform identities; organisations), Postgres notifies channel `steward_changes` with the schema's
// name. Every Steward process listens and forgets the answers it remembered
// (src/glossary/answer-cache.ts), whichever process or CLI command made the change.
// Statement-level, so a bulk import or an ingest batch notifies once.
import { sql, type Kysely } from 'kysely';

/**
 * Table → the changes that matter. Columns no answer shows are left out, so busy paths do not
 * empty every cache: alert evaluation bumps kpis.alerts_evaluated_version, every command touches
 * identities.last_seen_at.
 */
const WATCHED: Record<string, string> = {
  glossary_terms: 'insert or update or delete or truncate',
  glossary_aliases: 'insert or update or delete or truncate',
  glossary_words: 'insert or delete or truncate',
  glossary_proposals: 'insert or update or delete or truncate',
  kpis: 'insert or delete or truncate or update of key, name, unit, direction, target, warning, breach, cadence, journey_id, glossary_term, glossary_term_id',
  kpi_values: 'insert or update or delete or truncate',
  journeys: 'insert or delete or truncate or update of key, name, parent_id, owner_person_id, deputy_person_id',
  organisations: 'insert or delete or truncate or update of time_zone',
  people: 'insert or delete or truncate or update of display_name, email',
  identities: 'insert or delete or truncate or update of person_id, external_user_id',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function steward_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('steward_changes', current_schema());
      return null;
    end
    $$`.execute(db);
  for (const [table, events] of Object.entries(WATCHED)) {
    await sql.raw(`create trigger ${table}_notify_change after ${events} on ${table} for each statement execute function steward_notify_change()`).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of Object.keys(WATCHED)) await sql.raw(`drop trigger if exists ${table}_notify_change on ${table}`).execute(db);
  await sql`drop function if exists steward_notify_change()`.execute(db);
}
