// Change notices say what changed: besides `steward_changes` with the schema (0007, which processes
// of the previous version still listen to), every change notifies `steward_table_changes` with
// "<schema> <table>", and a change to the names of terms (what lookups match, not what cards show)
// also with "<schema> glossary_names". A process can then tell a renamed term, which makes its
// in-memory term index stale, from an edited definition, a new person or a KPI value, which do not
// (src/glossary/term-indexes.ts).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function steward_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('steward_changes', current_schema());
      -- A trigger may name what changed (its argument) more precisely than its table.
      perform pg_notify('steward_table_changes', current_schema() || ' ' || coalesce(tg_argv[0], tg_table_name));
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger glossary_terms_notify_name_change
    after insert or delete or truncate or update of name, name_norm, name_key, status, words on glossary_terms
    for each statement execute function steward_notify_change('glossary_names')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists glossary_terms_notify_name_change on glossary_terms`.execute(db);
  await sql`
    create or replace function steward_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('steward_changes', current_schema());
      return null;
    end
    $$`.execute(db);
}
