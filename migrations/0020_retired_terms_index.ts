// The deprecated terms that have a replacement, by organisation: what a watched channel's nudges look
// for (src/glossary/repo/watch.ts retiredPhrases), read again whenever the glossary changes. Without
// it each read scanned every term and alias: about 280 ms with 100,000 terms (pg_stat_statements,
// bench/compose).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists glossary_terms_retired_idx on glossary_terms (org_id) where status = 'deprecated' and replaced_by_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists glossary_terms_retired_idx`.execute(db);
}
