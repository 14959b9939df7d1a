// The term index also knows the words of every term's search text (whether the last pass of a
// lookup can find anything: src/glossary/matching/term-index.ts lastPassFindsNothing), so a change
// of search_text must make it stale: the `glossary_names` notice now names that column too
// (src/db/remembered-tables.ts). Installed again here for databases migrated before.
import type { Kysely } from 'kysely';
import { noticeTriggers } from '../src/db/remembered-tables.js';
import { installChangeNotices } from './0009_remembered_tables.js';

const NAME = 'glossary_terms_notify_glossary_names';
const BEFORE = { name: NAME, table: 'glossary_terms', notice: 'glossary_names', columns: ['id', 'name', 'name_key', 'name_norm', 'org_id', 'status', 'words'] };

export async function up(db: Kysely<unknown>): Promise<void> {
  await installChangeNotices(db, [BEFORE], noticeTriggers().filter((t) => t.name === NAME));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await installChangeNotices(db, [BEFORE], [BEFORE]);
}
