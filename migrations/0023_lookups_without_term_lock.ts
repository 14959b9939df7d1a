// A logged lookup no longer checks its term with a foreign key. The check locked the term's row
// (FOR KEY SHARE) for every lookup logged: a write to the glossary's own pages, with its WAL (a whole
// page after each checkpoint), for a statistic. Under bench/glossary-mix's load that made the lookup
// log's insert Postgres's costliest statement (11.7 ms for about 300 lookups, 50–65 ms right after a
// checkpoint; 17 ms with the 300 terms picked, without the check). Terms are never deleted, only
// deprecated, so the check guarded nothing Steward does; the statistics join terms (an inner join
// leaves out any term that might go). The organisation (cascade) and the person (set null on a
// person's removal) stay checked: a few rows, locked once per written batch.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table glossary_lookups drop constraint if exists glossary_lookups_term_id_fkey`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update glossary_lookups l set term_id = null where term_id is not null and not exists (select from glossary_terms t where t.id = l.term_id)`.execute(db);
  await sql`alter table glossary_lookups add constraint glossary_lookups_term_id_fkey foreign key (term_id) references glossary_terms (id) on delete set null`.execute(db);
}
