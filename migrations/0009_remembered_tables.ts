// The change-notice triggers, created from the one list of what each remembered answer shows
// (src/db/remembered-tables.ts) instead of the hand-written lists of 0007 and 0008. The notices stay
// what those sent (steward_notify_change: `steward_changes` with the schema, `steward_table_changes`
// with "<schema> <table or notice>"), so processes of the previous version keep hearing them.
//
// This installs the list as it is when the migration runs. A database migrated earlier keeps the
// triggers it got: when REMEMBERED_TABLES changes, add a new migration that calls
// installChangeNotices again (test/integration/remembered-tables.test.ts fails until then).
import { sql, type Kysely } from 'kysely';
import { noticeTriggers, type NoticeTrigger } from '../src/db/remembered-tables.js';

/** What 0007 and 0008 created, replaced here (0008's name trigger is renamed after its notice). */
const BEFORE = [
  ...['glossary_terms', 'glossary_aliases', 'glossary_words', 'glossary_proposals', 'kpis', 'kpi_values', 'journeys', 'organisations', 'people', 'identities'].map(
    (table) => ({ name: `${table}_notify_change`, table }),
  ),
  { name: 'glossary_terms_notify_name_change', table: 'glossary_terms' },
];

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

function createTrigger(trigger: NoticeTrigger): string {
  const update = trigger.columns ? `update of ${trigger.columns.map(ident).join(', ')}` : 'update';
  const argument = trigger.notice ? `'${trigger.notice.replace(/'/g, "''")}'` : '';
  return `create trigger ${ident(trigger.name)} after insert or delete or truncate or ${update} on ${ident(trigger.table)} for each statement execute function steward_notify_change(${argument})`;
}

/** Drops `previous` and creates `triggers`, in the migration's transaction: no statement goes unnoticed in between. */
export async function installChangeNotices(db: Kysely<unknown>, previous: { name: string; table: string }[], triggers: NoticeTrigger[]): Promise<void> {
  for (const old of previous) await sql.raw(`drop trigger if exists ${ident(old.name)} on ${ident(old.table)}`).execute(db);
  for (const trigger of triggers) await sql.raw(createTrigger(trigger)).execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await installChangeNotices(db, BEFORE, noticeTriggers());
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const trigger of noticeTriggers()) await sql.raw(`drop trigger if exists ${ident(trigger.name)} on ${ident(trigger.table)}`).execute(db);
  // Back to 0007 and 0008's lists.
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
  for (const [table, events] of Object.entries(WATCHED)) {
    await sql.raw(`create trigger ${table}_notify_change after ${events} on ${table} for each statement execute function steward_notify_change()`).execute(db);
  }
  await sql`
    create trigger glossary_terms_notify_name_change
    after insert or delete or truncate or update of name, name_norm, name_key, status, words on glossary_terms
    for each statement execute function steward_notify_change('glossary_names')`.execute(db);
}
