// Who asks is remembered while change notices arrive (src/orgs/service.ts resolveActor), so the
// tables an actor is read from notify on what it shows (src/db/remembered-tables.ts `actors`):
// roles on every change, people also on a changed organisation or e-mail, identities also on a
// changed id or installation. Installed again here for databases migrated before.
import type { Kysely } from 'kysely';
import { noticeTriggers } from '../src/db/remembered-tables.js';
import { installChangeNotices } from './0009_remembered_tables.js';

const BEFORE = [
  { name: 'identities_notify_change', table: 'identities', columns: ['external_user_id', 'person_id', 'platform'] },
  { name: 'people_notify_change', table: 'people', columns: ['display_name', 'id'] },
];
const ROLES = { name: 'roles_notify_change', table: 'roles' };
const NAMES = new Set([...BEFORE, ROLES].map((t) => t.name));

export async function up(db: Kysely<unknown>): Promise<void> {
  await installChangeNotices(db, [...BEFORE, ROLES], noticeTriggers().filter((t) => NAMES.has(t.name)));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await installChangeNotices(db, [...BEFORE, ROLES], BEFORE);
}
