// SQL for reaching people: remembered outcomes, Teams rosters, and who Steward must be able to reach.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { Platform, Role } from '../db/foundation-tables.js';

export type Executor = Db;

/** What every direct message reads of its person: who they are, where they are known, whether a refusal is remembered. */
export interface PersonToReach {
  id: string;
  org_id: string;
  display_name: string;
  email: string | null;
  preferred_platform: Platform | null;
  welcomed_at: Date | null;
  /** Most recently used first. */
  identities: { platform: Platform; installation_external_id: string; external_user_id: string }[];
  /** Some platform refused a message to them, and that is remembered (reach_checks). */
  refused: boolean;
}

type PersonToReachJson = Omit<PersonToReach, 'welcomed_at'> & { welcomed_at: string | null };

/**
 * The person to reach as one JSON value, for a person id given as a value or an SQL expression: a
 * statement of its own (personWithIdentities), or inside the claim of a message to them
 * (src/delivery/outbox-repo.ts), which saves every direct message a round trip. Read back with personToReachOf.
 */
export function personToReachJson(personId: string | RawBuilder<string>): RawBuilder<PersonToReachJson | null> {
  return sql<PersonToReachJson | null>`(
    select json_build_object(
      'id', p.id::text, 'org_id', p.org_id::text, 'display_name', p.display_name, 'email', p.email,
      'preferred_platform', p.preferred_platform, 'welcomed_at', p.welcomed_at,
      'identities', coalesce((
        select json_agg(json_build_object('platform', i.platform, 'installation_external_id', i.installation_external_id, 'external_user_id', i.external_user_id) order by i.last_seen_at desc)
        from identities i where i.person_id = p.id), '[]'::json),
      'refused', exists (select 1 from reach_checks r where r.person_id = p.id and r.reachable = false))
    from people p where p.id = ${personId})`;
}

export function personToReachOf(json: PersonToReachJson | null | undefined): PersonToReach | undefined {
  return json ? { ...json, welcomed_at: json.welcomed_at === null ? null : new Date(json.welcomed_at) } : undefined;
}

/** The person with their identities and whether a refusal is remembered for them, in one query. */
export async function personWithIdentities(db: Executor, personId: string): Promise<PersonToReach | undefined> {
  const row = await db.selectNoFrom(personToReachJson(personId).as('person')).executeTakeFirst();
  return personToReachOf(row?.person);
}

export async function identityPlatformsOf(db: Executor, personIds: string[]) {
  if (personIds.length === 0) return [];
  return db.selectFrom('identities').select(['person_id', 'platform', 'created_at']).where('person_id', 'in', personIds).execute();
}

/** The organisation's Slack workspaces or Teams tenants. */
export async function installationIds(db: Executor, orgId: string, platform: Platform): Promise<string[]> {
  const rows = await db.selectFrom('installations').select('external_id').where('org_id', '=', orgId).where('platform', '=', platform).orderBy('created_at').execute();
  return rows.map((r) => r.external_id);
}

/** How many people of the organisation Steward knows on each platform: where the company uses it most. */
export async function identityCounts(db: Executor, orgId: string): Promise<Record<Platform, number>> {
  const rows = await db
    .selectFrom('identities as i')
    .innerJoin('people as p', 'p.id', 'i.person_id')
    .select(['i.platform', (eb) => eb.fn.countAll<string>().as('n')])
    .where('p.org_id', '=', orgId)
    .groupBy('i.platform')
    .execute();
  const counts: Record<Platform, number> = { slack: 0, teams: 0 };
  for (const row of rows) counts[row.platform] = Number(row.n);
  return counts;
}

export async function reachCheck(db: Executor, personId: string, platform: Platform) {
  return db.selectFrom('reach_checks').select(['reachable', 'reason', 'checked_at']).where('person_id', '=', personId).where('platform', '=', platform).executeTakeFirst();
}

export async function reachChecksOf(db: Executor, personIds: string[]) {
  if (personIds.length === 0) return [];
  return db.selectFrom('reach_checks').select(['person_id', 'platform', 'reachable', 'reason', 'checked_at']).where('person_id', 'in', personIds).execute();
}

export async function recordReachCheck(db: Executor, personId: string, platform: Platform, outcome: { reachable: boolean; reason: string | null }, now: Date): Promise<void> {
  await db
    .insertInto('reach_checks')
    .values({ person_id: personId, platform, reachable: outcome.reachable, reason: outcome.reason, checked_at: now })
    .onConflict((oc) => oc.columns(['person_id', 'platform']).doUpdateSet({ reachable: outcome.reachable, reason: outcome.reason, checked_at: now }))
    .execute();
}

/**
 * Claims asking a platform about this person: false when another worker claimed it less than
 * `claimMs` ago and has not answered yet (its answer will serve this message too).
 */
export async function claimLookup(db: Executor, personId: string, platform: Platform, now: Date, claimMs: number): Promise<boolean> {
  const since = new Date(now.getTime() - claimMs);
  const row = await db
    .insertInto('reach_checks')
    .values({ person_id: personId, platform, reachable: false, reason: null, checked_at: now })
    .onConflict((oc) =>
      oc
        .columns(['person_id', 'platform'])
        .doUpdateSet({ reachable: false, reason: null, checked_at: now })
        .where((eb) => eb.not(eb.and([eb('reach_checks.reachable', '=', false), eb('reach_checks.reason', 'is', null), eb('reach_checks.checked_at', '>', since)]))),
    )
    .returning('person_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** A message reached the person there: an earlier "cannot reach" no longer holds. */
export async function clearRefusal(db: Executor, personId: string, platform: Platform): Promise<void> {
  await db.updateTable('reach_checks').set({ reachable: true, reason: null }).where('person_id', '=', personId).where('platform', '=', platform).where('reachable', '=', false).execute();
}

export interface RosterMember {
  aadObjectId: string;
  memberId: string;
  name: string | null;
  email: string | null;
  userPrincipalName: string | null;
}

export async function recordRoster(db: Executor, tenantId: string, serviceUrl: string, members: RosterMember[], now: Date): Promise<void> {
  if (members.length === 0) return;
  await db
    .insertInto('teams_roster')
    .values(
      members.map((m) => ({
        tenant_id: tenantId,
        aad_object_id: m.aadObjectId,
        member_id: m.memberId,
        name: m.name,
        email: m.email?.toLowerCase() ?? null,
        user_principal_name: m.userPrincipalName?.toLowerCase() ?? null,
        service_url: serviceUrl,
        seen_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'aad_object_id']).doUpdateSet((eb) => ({
        member_id: eb.ref('excluded.member_id'),
        name: eb.ref('excluded.name'),
        email: eb.ref('excluded.email'),
        user_principal_name: eb.ref('excluded.user_principal_name'),
        service_url: eb.ref('excluded.service_url'),
        seen_at: eb.ref('excluded.seen_at'),
      })),
    )
    .execute();
}

/** The roster member with this e-mail (or user principal name) in one of these tenants. */
export async function rosterMemberByEmail(db: Executor, tenantIds: string[], email: string) {
  if (tenantIds.length === 0) return undefined;
  const lower = email.toLowerCase();
  return db
    .selectFrom('teams_roster')
    .select(['tenant_id', 'aad_object_id', 'member_id', 'name', 'service_url'])
    .where('tenant_id', 'in', tenantIds)
    .where((eb) => eb.or([eb(sql`lower(email)`, '=', lower), eb(sql`lower(user_principal_name)`, '=', lower)]))
    .orderBy('seen_at', 'desc')
    .executeTakeFirst();
}

export async function rosterMember(db: Executor, tenantId: string, aadObjectId: string) {
  return db.selectFrom('teams_roster').select(['member_id', 'name', 'service_url']).where('tenant_id', '=', tenantId).where('aad_object_id', '=', aadObjectId).executeTakeFirst();
}

/** When a roster of this tenant was last read; undefined when never. */
export async function rosterReadAt(db: Executor, tenantId: string): Promise<Date | undefined> {
  const row = await db.selectFrom('teams_roster').select((eb) => eb.fn.max('seen_at').as('at')).where('tenant_id', '=', tenantId).executeTakeFirst();
  return row?.at ? new Date(row.at as unknown as string) : undefined;
}

/** Team and group conversations stored for a tenant, whose rosters can be read again. */
export async function sharedTeamsConversations(db: Executor, tenantId: string) {
  return db
    .selectFrom('conversations')
    .select(['id', 'external_id', 'reference'])
    .where('platform', '=', 'teams')
    .where('installation_external_id', '=', tenantId)
    .where('kind', 'in', ['channel', 'group'])
    .where('reference', 'is not', null)
    .orderBy('updated_at', 'desc')
    .limit(20)
    .execute();
}

/**
 * People of these Teams ids whose name Steward does not know (it is their id or their e-mail), to be
 * named from the roster: others are shown by name, never by a GUID.
 */
export async function nameFromRoster(db: Executor, tenantId: string): Promise<number> {
  const result = await sql`
    update people p set display_name = r.name
    from identities i join teams_roster r on r.tenant_id = i.installation_external_id and r.aad_object_id = i.external_user_id
    where i.person_id = p.id and i.platform = 'teams' and i.installation_external_id = ${tenantId}
      and r.name is not null and r.name <> '' and p.display_name <> r.name
      and (p.display_name = i.external_user_id or p.display_name = p.email or p.display_name = split_part(p.email, '@', 1)
           or p.display_name ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function setPreferredPlatform(db: Executor, personId: string, platform: Platform | null): Promise<void> {
  await db.updateTable('people').set({ preferred_platform: platform }).where('id', '=', personId).execute();
}

/** Everyone Steward must be able to reach: owners, deputies, glossary stewards (of terms or by role), board and admins. */
export async function accountablePeople(db: Executor, orgId: string) {
  const rows = await sql<{ id: string; display_name: string; email: string | null; why: string }>`
    select p.id, p.display_name, p.email, string_agg(distinct w.why, ', ' order by w.why) as why
    from people p
    join (
      select owner_person_id as person_id, 'journey owner' as why from journeys where org_id = ${orgId} and owner_person_id is not null
      union all select deputy_person_id, 'deputy' from journeys where org_id = ${orgId} and deputy_person_id is not null
      union all select steward_person_id, 'term steward' from glossary_terms where org_id = ${orgId} and steward_person_id is not null
      union all select r.person_id, case r.role when 'glossary_steward' then 'glossary steward' else r.role end from roles r join people rp on rp.id = r.person_id where rp.org_id = ${orgId}
    ) w on w.person_id = p.id
    where p.org_id = ${orgId}
    group by p.id, p.display_name, p.email
    order by p.display_name
  `.execute(db);
  return rows.rows;
}

/** What a person is accountable for, for their welcome. */
export async function accountabilityOf(db: Executor, personId: string) {
  // One query: a first message waits for it.
  const row = await db
    .selectFrom('people as p')
    .innerJoin('organisations as o', 'o.id', 'p.org_id')
    .select(['p.display_name', 'o.name as org_name'])
    .select([
      sql<string[]>`coalesce((select json_agg(j.name order by j.name) from journeys j where j.owner_person_id = p.id), '[]'::json)`.as('owned'),
      sql<string[]>`coalesce((select json_agg(j.name order by j.name) from journeys j where j.deputy_person_id = p.id and j.owner_person_id is distinct from p.id), '[]'::json)`.as('deputy_of'),
      sql<number>`(select count(*)::int from glossary_terms g where g.steward_person_id = p.id)`.as('terms'),
      sql<Role[]>`coalesce((select json_agg(r.role order by r.role) from roles r where r.person_id = p.id), '[]'::json)`.as('roles'),
    ])
    .where('p.id', '=', personId)
    .executeTakeFirst();
  return {
    name: row?.display_name ?? 'there',
    orgName: row?.org_name ?? 'your organisation',
    owned: row?.owned ?? [],
    deputyOf: row?.deputy_of ?? [],
    stewardedTerms: row?.terms ?? 0,
    roles: row?.roles ?? [],
  };
}

/**
 * Of these people, those a message may reach: Steward has met them, or it has their e-mail and has
 * not yet found that it cannot reach them anywhere (the delivery worker looks them up).
 */
export async function mayBeReachable(db: Executor, personIds: string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('people as p')
    .select('p.id')
    .where('p.id', 'in', personIds)
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('identities as i').select('i.id').whereRef('i.person_id', '=', 'p.id')),
        eb.and([
          eb('p.email', 'is not', null),
          eb.not(eb.exists(eb.selectFrom('reach_checks as c').select('c.person_id').whereRef('c.person_id', '=', 'p.id').where('c.reachable', '=', false).where('c.reason', 'is not', null))),
        ]),
      ]),
    )
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Accountable people (owners, deputies, term stewards, role holders) of any organisation whom Steward
 * has never met and has not tried to find since `checkedBefore`: the reach sweep looks them up ahead of
 * their first message, so a first escalation needs no lookup and `people check` and the digest are current.
 */
export async function peopleToLookUp(db: Executor, checkedBefore: Date, limit: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select p.id from people p
    where p.email is not null
      and not exists (select 1 from identities i where i.person_id = p.id)
      and not exists (select 1 from reach_checks c where c.person_id = p.id and c.checked_at >= ${checkedBefore})
      and (exists (select 1 from journeys j where j.owner_person_id = p.id or j.deputy_person_id = p.id)
           or exists (select 1 from glossary_terms g where g.steward_person_id = p.id)
           or exists (select 1 from roles r where r.person_id = p.id))
    order by p.created_at
    limit ${limit}
  `.execute(db);
  return rows.rows.map((r) => r.id);
}
