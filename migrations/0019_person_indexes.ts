// Indexes for finding what a person is accountable for: the journeys they own or deputise for and
// the glossary terms they steward. Without them, the reach sweep (src/reach/repo.ts peopleToLookUp),
// `people check` and a person's home scanned every journey and every term once per person: with a
// 100,000-term glossary the sweep's query took about 1 s a call (pg_stat_statements, bench/glossary-mix).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists glossary_terms_steward_idx on glossary_terms (steward_person_id) where steward_person_id is not null`.execute(db);
  await sql`create index if not exists journeys_owner_idx on journeys (owner_person_id) where owner_person_id is not null`.execute(db);
  await sql`create index if not exists journeys_deputy_idx on journeys (deputy_person_id) where deputy_person_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists glossary_terms_steward_idx`.execute(db);
  await sql`drop index if exists journeys_owner_idx`.execute(db);
  await sql`drop index if exists journeys_deputy_idx`.execute(db);
}
