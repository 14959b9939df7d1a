// SQL for organisations, installations, people, identities and roles.
import { sql, type Insertable, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { ConversationsTable, Platform, Role } from '../db/foundation-tables.js';

export type Executor = Db;

export async function findInstallation(db: Executor, platform: Platform, externalId: string) {
  return db
    .selectFrom('installations')
    .select(['id', 'org_id', 'platform', 'external_id', 'name'])
    .where('platform', '=', platform)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function listOrganisations(db: Executor) {
  return db.selectFrom('organisations').select(['id', 'name', 'time_zone', 'created_at']).orderBy('created_at').execute();
}

/** How many workspaces and tenants are linked to any organisation. */
export async function countInstallations(db: Executor): Promise<number> {
  const row = await db.selectFrom('installations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function createOrganisation(db: Executor, name: string) {
  return db.insertInto('organisations').values({ name, settings: '{}' }).returning(['id', 'name']).executeTakeFirstOrThrow();
}

/** Links an installation to an organisation; a second contact racing this one finds the same row. */
export async function upsertInstallation(db: Executor, orgId: string, platform: Platform, externalId: string, name: string | null) {
  await db
    .insertInto('installations')
    .values({ org_id: orgId, platform, external_id: externalId, name })
    .onConflict((oc) => oc.columns(['platform', 'external_id']).doNothing())
    .execute();
  return db
    .selectFrom('installations')
    .select(['id', 'org_id'])
    .where('platform', '=', platform)
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
}

export async function findPersonByIdentity(db: Executor, platform: Platform, installationExternalId: string, userId: string) {
  return db
    .selectFrom('identities as i')
    .innerJoin('people as p', 'p.id', 'i.person_id')
    .select([
      'p.id',
      'p.org_id',
      'p.display_name',
      'p.email',
      'i.id as identity_id',
      'i.last_seen_at',
      sql<Role[]>`coalesce((select array_agg(r.role order by r.role) from roles r where r.person_id = p.id), '{}')`.as('roles'),
    ])
    .where('i.platform', '=', platform)
    .where('i.installation_external_id', '=', installationExternalId)
    .where('i.external_user_id', '=', userId)
    .executeTakeFirst();
}

export async function findPersonByEmail(db: Executor, orgId: string, email: string) {
  return db
    .selectFrom('people')
    .select(['id', 'display_name', 'email'])
    .where('org_id', '=', orgId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function createPerson(db: Executor, orgId: string, displayName: string, email: string | null) {
  return db
    .insertInto('people')
    .values({ org_id: orgId, display_name: displayName, email: email?.toLowerCase() ?? null })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

export async function addIdentity(db: Executor, personId: string, platform: Platform, installationExternalId: string, userId: string) {
  await db
    .insertInto('identities')
    .values({ person_id: personId, platform, installation_external_id: installationExternalId, external_user_id: userId })
    .onConflict((oc) => oc.constraint('identities_platform_user_key').doNothing())
    .execute();
}

/** The name a Teams roster gives this member, when a request did not carry one. */
export async function teamsRosterName(db: Executor, tenantId: string, aadObjectId: string): Promise<string | undefined> {
  const row = await db.selectFrom('teams_roster').select('name').where('tenant_id', '=', tenantId).where('aad_object_id', '=', aadObjectId).executeTakeFirst();
  return row?.name ?? undefined;
}

/**
 * Gives a person the name a platform knows them by, when Steward had none of its own for them (an
 * import that gave only an e-mail names a person after it; a request without a name, by their id).
 */
export async function nameIfUnknown(db: Executor, personId: string, name: string | null | undefined, platformUserId: string): Promise<void> {
  if (!name?.trim()) return;
  await sql`
    update people p set display_name = ${name.trim()}
    where p.id = ${personId} and p.display_name <> ${name.trim()}
      and (p.display_name = ${platformUserId} or p.display_name = p.email or p.display_name = split_part(p.email, '@', 1)
           or p.display_name ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
  `.execute(db);
}

/** The person has met Steward (used it, or was welcomed by it). */
export async function markMet(db: Executor, personId: string): Promise<void> {
  await db.updateTable('people').set({ welcomed_at: sql`now()` }).where('id', '=', personId).where('welcomed_at', 'is', null).execute();
}

export async function orgOfPerson(db: Executor, personId: string): Promise<string | undefined> {
  return (await db.selectFrom('people').select('org_id').where('id', '=', personId).executeTakeFirst())?.org_id;
}

export async function touchIdentities(db: Executor, identityIds: string[]) {
  if (identityIds.length === 0) return;
  await db.updateTable('identities').set({ last_seen_at: sql`now()` }).where('id', 'in', identityIds).execute();
}

export async function rolesOf(db: Executor, personId: string): Promise<Role[]> {
  const rows = await db.selectFrom('roles').select('role').where('person_id', '=', personId).orderBy('role').execute();
  return rows.map((r) => r.role);
}

export async function peopleWithRole(db: Executor, orgId: string, role: Role) {
  return db
    .selectFrom('roles as r')
    .innerJoin('people as p', 'p.id', 'r.person_id')
    .select(['p.id', 'p.display_name', 'p.email'])
    .where('p.org_id', '=', orgId)
    .where('r.role', '=', role)
    .orderBy('p.display_name')
    .execute();
}

/** The platform identity a direct message should go to: the one the person used last. */
export async function preferredIdentity(db: Executor, personId: string) {
  return db
    .selectFrom('identities')
    .select(['platform', 'installation_external_id', 'external_user_id'])
    .where('person_id', '=', personId)
    .orderBy('last_seen_at', 'desc')
    .executeTakeFirst();
}

export async function installationsOf(db: Executor, orgId: string, platform?: Platform) {
  let query = db.selectFrom('installations').select(['platform', 'external_id', 'name']).where('org_id', '=', orgId);
  if (platform) query = query.where('platform', '=', platform);
  return query.execute();
}

/** Links an installation to this organisation, moving it when another had it (an operator's choice). */
export async function linkInstallation(db: Executor, orgId: string, platform: Platform, externalId: string, name: string | undefined) {
  await db
    .insertInto('installations')
    .values({ org_id: orgId, platform, external_id: externalId, name: name ?? null })
    .onConflict((oc) => oc.columns(['platform', 'external_id']).doUpdateSet({ org_id: orgId, ...(name ? { name } : {}) }))
    .execute();
}

export async function findConversation(db: Executor, orgId: string, platform: Platform, externalId: string) {
  return db
    .selectFrom('conversations')
    .select(['id', 'installation_external_id', 'name'])
    .where('org_id', '=', orgId)
    .where('platform', '=', platform)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** What an organisation's job schedules are made from: its time zone and its settings. */
export async function findOrganisationSchedule(db: Executor, orgId: string) {
  return db.selectFrom('organisations').select(['time_zone', 'settings']).where('id', '=', orgId).executeTakeFirst();
}

export async function organisationIds(db: Executor): Promise<string[]> {
  return (await db.selectFrom('organisations').select('id').execute()).map((org) => org.id);
}

/** The Bot Connector URL of a Teams tenant, from the conversation that spoke to Steward last. */
export async function latestTeamsServiceUrl(db: Executor, tenantId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('conversations')
    .select('reference')
    .where('platform', '=', 'teams')
    .where('installation_external_id', '=', tenantId)
    .where('reference', 'is not', null)
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  const serviceUrl = row?.reference?.serviceUrl;
  return typeof serviceUrl === 'string' ? serviceUrl : undefined;
}

/** Serialises concurrent first contacts (until the transaction ends), so that exactly one organisation is created. */
export async function lockFirstContact(trx: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(727002)`.execute(trx);
}

export interface RoleChange {
  personId: string;
  role: Role;
  byPersonId: string | null;
  byLabel: string | null;
}

/** Adds the role unless the person has it; true when it was added. */
export async function insertRole(trx: Executor, change: RoleChange): Promise<boolean> {
  const inserted = await trx
    .insertInto('roles')
    .values({ person_id: change.personId, role: change.role, granted_by: change.byLabel ?? change.byPersonId })
    .onConflict((oc) => oc.columns(['person_id', 'role']).doNothing())
    .returning('person_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Removes the role; true when the person had it. */
export async function deleteRole(trx: Executor, personId: string, role: Role): Promise<boolean> {
  const deleted = await trx.deleteFrom('roles').where('person_id', '=', personId).where('role', '=', role).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}

export async function recordRoleEvent(trx: Executor, change: RoleChange, action: 'grant' | 'revoke'): Promise<void> {
  await trx.insertInto('role_events').values({ person_id: change.personId, role: change.role, action, by_person_id: change.byPersonId, by_label: change.byLabel }).execute();
}

/** Records a person known by e-mail only (a second writer racing this one is harmless). */
export async function insertPersonByEmail(db: Executor, orgId: string, email: string, displayName: string): Promise<void> {
  await db.insertInto('people').values({ org_id: orgId, display_name: displayName, email }).onConflict((oc) => oc.columns(['org_id', 'email']).doNothing()).execute();
}

/** A person as a mention needs them: their name, and their user id on each platform (the one used last). */
export interface PersonRefRow {
  id: string;
  name: string;
  slack: string | null;
  teams: string | null;
}

/** The people as personRefs needs them (src/orgs/people.ts). */
export async function personRefRows(db: Executor, personIds: string[]): Promise<PersonRefRow[]> {
  const rows = await db.selectFrom('people as p').select(personRefJson('p').as('ref')).where('p.id', 'in', personIds).execute();
  return rows.map((r) => r.ref);
}

/**
 * A person's name and user id on each platform (the identity used last when there are several), as
 * JSON, for the row of `people` under `alias`: personRefRows, and the ping view's people, read with
 * the ping (src/pings/repo.ts).
 */
export function personRefJson(alias: string): RawBuilder<PersonRefRow> {
  const p = sql.ref(alias);
  return sql<PersonRefRow>`json_build_object('id', ${p}.id, 'name', ${p}.display_name,
    'slack', (select i.external_user_id from identities i where i.person_id = ${p}.id and i.platform = 'slack' order by i.last_seen_at desc limit 1),
    'teams', (select i.external_user_id from identities i where i.person_id = ${p}.id and i.platform = 'teams' order by i.last_seen_at desc limit 1))`;
}

export async function peopleByIds(db: Executor, personIds: string[]) {
  return db.selectFrom('people').select(['id', 'display_name']).where('id', 'in', personIds).execute();
}

export async function upsertConversation(db: Executor, row: Insertable<ConversationsTable>): Promise<string> {
  const inserted = await db
    .insertInto('conversations')
    .values(row)
    .onConflict((oc) =>
      oc.constraint('conversations_platform_external_id_key').doUpdateSet((eb) => ({
        reference: sql`coalesce(${eb.ref('excluded.reference')}, conversations.reference)`,
        name: sql`coalesce(${eb.ref('excluded.name')}, conversations.name)`,
        person_id: sql`coalesce(${eb.ref('excluded.person_id')}, conversations.person_id)`,
        updated_at: sql`now()`,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** The person's most recent personal chat with Steward on Teams (its stored reference). */
export async function latestPersonalTeamsChat(db: Executor, personId: string) {
  return db
    .selectFrom('conversations')
    .select(['external_id', 'reference', 'installation_external_id'])
    .where('person_id', '=', personId)
    .where('platform', '=', 'teams')
    .where('kind', '=', 'personal')
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
}

export async function conversationInOrg(db: Executor, orgId: string, conversationId: string) {
  return db.selectFrom('conversations').select(['platform', 'external_id', 'reference', 'installation_external_id']).where('id', '=', conversationId).where('org_id', '=', orgId).executeTakeFirst();
}

/** People of one organisation whose e-mail is exactly the text, or whose name contains it (case-insensitive). */
export async function peopleMatching(db: Executor, orgId: string, needle: string, limit: number) {
  const folded = needle.trim().toLowerCase();
  const pattern = `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db
    .selectFrom('people')
    .select(['id', 'display_name', 'email'])
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('email', '=', folded), eb(sql`lower(display_name)`, 'like', pattern)]))
    .orderBy(sql`coalesce(email = ${folded}, false)`, 'desc')
    .orderBy('display_name')
    .limit(limit)
    .execute();
}
