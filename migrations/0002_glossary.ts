// The glossary: terms with aliases (unique per organisation), an append-only version history,
// proposals waiting for a steward, and the log of every lookup (found or not).
import { sql, type Kysely } from 'kysely';

const STATUSES = sql`('proposed', 'approved', 'deprecated')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('glossary_terms')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn('name_norm', 'text', (c) => c.notNull().check(sql`name_norm <> ''`))
    .addColumn('name_key', 'text', (c) => c.notNull())
    // The name without spaces: `NetPromoterScore` and `selfservice` find their term by (prefix) equality.
    .addColumn('name_compact', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull().check(sql`length(definition) between 1 and 2000`))
    .addColumn('notes', 'text', (c) => c.check(sql`length(notes) <= 2000`))
    .addColumn('links', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`).check(sql`jsonb_typeof(links) = 'array'`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ${STATUSES}`))
    .addColumn('replaced_by_id', 'uuid', (c) => c.references('glossary_terms.id').onDelete('set null'))
    .addColumn('steward_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1).check(sql`version >= 1`))
    // The singular words of the name and every alias: lookups find terms sharing whole words here
    // (word order free) before any costlier fuzzy matching.
    .addColumn('words', 'text', (c) => c.notNull())
    .addColumn('words_tsv', sql`tsvector`, (c) => c.generatedAlwaysAs(sql`to_tsvector('simple', words)`).stored())
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('glossary_terms_org_name_key', ['org_id', 'name_norm'])
    // The target of the (term, organisation) foreign keys below.
    .addUniqueConstraint('glossary_terms_id_org_key', ['id', 'org_id'])
    .addCheckConstraint('glossary_terms_not_own_replacement', sql`replaced_by_id is null or replaced_by_id <> id`)
    .addCheckConstraint('glossary_terms_only_deprecated_replaced', sql`replaced_by_id is null or status = 'deprecated'`)
    .execute();
  await sql`create index glossary_terms_compact_idx on glossary_terms (org_id, name_compact text_pattern_ops)`.execute(db);
  await sql`create index glossary_terms_key_idx on glossary_terms (org_id, name_key)`.execute(db);
  await sql`create index glossary_terms_words_idx on glossary_terms using gin (words_tsv)`.execute(db);
  // search_text is already normalised and singular (see publish.ts), so the cheap 'simple' configuration suffices.
  await sql`create index glossary_terms_search_idx on glossary_terms using gin (to_tsvector('simple', search_text))`.execute(db);

  await db.schema
    .createTable('glossary_aliases')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('term_id', 'uuid', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull().check(sql`length(alias) between 1 and 120`))
    .addColumn('alias_norm', 'text', (c) => c.notNull().check(sql`alias_norm <> ''`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('glossary_aliases_org_alias_key', ['org_id', 'alias_norm'])
    // One key for both: the term exists and belongs to the same organisation (the organisation's
    // removal reaches aliases through their term).
    .addForeignKeyConstraint('glossary_aliases_term_fkey', ['term_id', 'org_id'], 'glossary_terms', ['id', 'org_id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await sql`create index glossary_aliases_term_idx on glossary_aliases (term_id)`.execute(db);
  // Short aliases (acronyms) are matched by edit distance, which trigrams cannot do for three letters.
  await sql`create index glossary_aliases_short_idx on glossary_aliases (org_id, length(alias_norm)) where length(alias_norm) <= 6`.execute(db);

  // Every word (not number) any name or alias of the organisation uses: a misspelt word of a lookup
  // is corrected against this small list before whole words are matched. Never pruned; a stale word
  // only offers a correction that then matches nothing.
  await db.schema
    .createTable('glossary_words')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('word', 'text', (c) => c.notNull().check(sql`word <> ''`))
    .addPrimaryKeyConstraint('glossary_words_pkey', ['org_id', 'word'])
    .execute();
  await sql`create index glossary_words_shape_idx on glossary_words (org_id, left(word, 1), length(word))`.execute(db);

  await db.schema
    .createTable('glossary_versions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('term_id', 'uuid', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('links', 'jsonb', (c) => c.notNull())
    .addColumn('aliases', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ${STATUSES}`))
    .addColumn('replaced_by_id', 'uuid')
    .addColumn('steward_person_id', 'uuid')
    .addColumn('change', 'text', (c) =>
      c.notNull().check(sql`change in ('created', 'edited', 'approved', 'aliased', 'deprecated', 'rolled_back', 'imported')`),
    )
    .addColumn('changed_by_person_id', 'uuid')
    .addColumn('changed_by_label', 'text')
    .addColumn('proposed_by_person_id', 'uuid')
    .addColumn('proposal_id', 'uuid')
    .addColumn('rolled_back_to', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('glossary_versions_term_version_key', ['term_id', 'version'])
    .addForeignKeyConstraint('glossary_versions_term_fkey', ['term_id', 'org_id'], 'glossary_terms', ['id', 'org_id'], (fk) => fk.onDelete('cascade'))
    .addCheckConstraint('glossary_versions_rollback_target', sql`(change = 'rolled_back') = (rolled_back_to is not null)`)
    .execute();
  // History is append-only: nothing updates or deletes a version (only removing the whole
  // organisation or term cascades, which arrives here from a foreign-key trigger, at depth > 1).
  await sql`
    create function glossary_versions_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and pg_trigger_depth() > 1 then
        return old;
      end if;
      raise exception 'glossary_versions is append-only: % is not allowed', tg_op;
    end
    $$`.execute(db);
  await sql`
    create trigger glossary_versions_append_only before update or delete on glossary_versions
    for each row execute function glossary_versions_append_only()`.execute(db);

  await db.schema
    .createTable('glossary_proposals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('term_id', 'uuid', (c) => c.references('glossary_terms.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('new', 'edit')`))
    .addColumn('base_version', 'integer')
    .addColumn('name', 'text', (c) => c.check(sql`length(name) between 1 and 120`))
    .addColumn('name_norm', 'text')
    .addColumn('definition', 'text', (c) => c.check(sql`length(definition) between 1 and 2000`))
    .addColumn('notes', 'text', (c) => c.check(sql`length(notes) <= 2000`))
    .addColumn('links', 'jsonb')
    .addColumn('aliases_add', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('aliases_remove', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('proposed_by_person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'approved', 'rejected')`))
    .addColumn('decided_by_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('reason', 'text', (c) => c.check(sql`length(reason) between 1 and 500`))
    .addColumn('published_term_id', 'uuid', (c) => c.references('glossary_terms.id').onDelete('set null'))
    .addColumn('published_version', 'integer')
    .addColumn('notice_outbox_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('glossary_proposals_edit_names_term', sql`(kind = 'edit') = (term_id is not null)`)
    .addCheckConstraint('glossary_proposals_new_is_complete', sql`kind = 'edit' or (name is not null and name_norm is not null and definition is not null)`)
    .addCheckConstraint('glossary_proposals_decided', sql`(status = 'pending') = (decided_at is null)`)
    .addCheckConstraint('glossary_proposals_rejection_reason', sql`status <> 'rejected' or reason is not null`)
    .addCheckConstraint('glossary_proposals_approval_published', sql`status <> 'approved' or published_version is not null`)
    .execute();
  // One pending proposal per new name: a second one would ask the stewards the same question twice.
  await sql`create unique index glossary_proposals_pending_name_key on glossary_proposals (org_id, name_norm) where status = 'pending' and kind = 'new'`.execute(db);
  await sql`create index glossary_proposals_term_idx on glossary_proposals (term_id, status)`.execute(db);

  await db.schema
    .createTable('glossary_lookups')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('query', 'text', (c) => c.notNull().check(sql`length(query) <= 200`))
    .addColumn('query_norm', 'text', (c) => c.notNull())
    .addColumn('term_id', 'uuid', (c) => c.references('glossary_terms.id').onDelete('set null'))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('found', 'candidates', 'miss')`))
    .addColumn('person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('platform', 'text', (c) => c.notNull().check(sql`platform in ('slack', 'teams')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('glossary_lookups_miss_has_no_term', sql`outcome = 'found' or term_id is null`)
    .execute();
  await sql`create index glossary_lookups_org_time_idx on glossary_lookups (org_id, created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['glossary_lookups', 'glossary_proposals', 'glossary_versions', 'glossary_words', 'glossary_aliases', 'glossary_terms']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists glossary_versions_append_only()`.execute(db);
}
