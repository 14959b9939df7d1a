// What a token may be used for: the KPI ingest API (`ingest`, every token made before this) or the
// MCP endpoint for AI assistants (`mcp`); neither grants the other. And the glossary lookup log
// learns a third source besides Slack and Teams: `mcp`, an assistant asking through that endpoint.
import { sql, type Kysely } from 'kysely';

/** The CHECK constraints of glossary_lookups that name its `platform` column (named by Postgres when created). */
async function platformChecks(db: Kysely<unknown>): Promise<string[]> {
  const result = await sql<{ name: string }>`
    select conname as name from pg_constraint
    where conrelid = 'glossary_lookups'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%platform%'
  `.execute(db);
  return result.rows.map((r) => r.name);
}

async function replacePlatformCheck(db: Kysely<unknown>, allowed: string[]): Promise<void> {
  for (const name of await platformChecks(db)) await sql`alter table glossary_lookups drop constraint ${sql.id(name)}`.execute(db);
  const list = sql.join(allowed.map((value) => sql.lit(value)));
  await sql`alter table glossary_lookups add constraint glossary_lookups_platform_check check (platform in (${list}))`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_tokens')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo('ingest').check(sql`scope in ('ingest', 'mcp')`))
    .execute();
  await replacePlatformCheck(db, ['slack', 'teams', 'mcp']);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from glossary_lookups where platform = 'mcp'`.execute(db);
  await replacePlatformCheck(db, ['slack', 'teams']);
  await db.schema.alterTable('api_tokens').dropColumn('scope').execute();
}
