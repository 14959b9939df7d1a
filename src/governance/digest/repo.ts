// SQL of the digest's sections. Each reads another capability's tables for one organisation (never
// its modules, so governance depends on none of them being loaded, and proposals on governance only).
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { DigestWindow } from './card.js';

export async function openProposals(db: Db, orgId: string) {
  return db.selectFrom('proposals').select(['id', 'number', 'title', 'deadline']).where('org_id', '=', orgId).where('status', '=', 'open').orderBy('deadline').execute();
}

export async function boardMemberIds(db: Db, orgId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('roles')
    .innerJoin('people', 'people.id', 'roles.person_id')
    .select('people.id')
    .where('people.org_id', '=', orgId)
    .where('roles.role', '=', 'board')
    .execute();
  return rows.map((r) => r.id);
}

export async function voterIds(db: Db, proposalId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('proposal_ballots').select('person_id').where('proposal_id', '=', proposalId).execute();
  return new Set(rows.map((b) => b.person_id));
}

export async function decisionsIn(db: Db, window: DigestWindow) {
  return db
    .selectFrom('proposal_decisions as d')
    .innerJoin('proposals as p', 'p.id', 'd.proposal_id')
    .select(['p.number', 'p.title', 'd.outcome', 'd.approve', 'd.reject', 'd.abstain'])
    .where('p.org_id', '=', window.orgId)
    .where('d.decided_at', '>', window.from)
    .where('d.decided_at', '<=', window.to)
    .orderBy('d.decided_at')
    .execute();
}

export async function approvedProposals(db: Db, orgId: string) {
  return db
    .selectFrom('proposals')
    .select(['number', 'title', 'status', 'closed_at', 'updated_at'])
    .where('org_id', '=', orgId)
    .where('status', 'in', ['approved', 'in_progress'])
    .orderBy('number')
    .execute();
}

export async function kpiKeys(db: Db, orgId: string): Promise<string[]> {
  return (await db.selectFrom('kpis').select('key').where('org_id', '=', orgId).orderBy('key').execute()).map((k) => k.key);
}

export async function unacknowledgedPings(db: Db, window: DigestWindow) {
  return db
    .selectFrom('pings as p')
    .innerJoin('journeys as j', 'j.id', 'p.journey_id')
    .select(['p.message', 'p.holder_person_id', 'p.created_at', 'p.exhausted_at', 'j.name'])
    .where('p.org_id', '=', window.orgId)
    .where('p.state', 'in', ['sent', 'snoozed'])
    .where('p.created_at', '<=', window.to)
    .orderBy('p.created_at')
    .execute();
}

/** Journeys with no owner of their own, with the owner they inherit from the nearest ancestor (or none). */
export async function journeysWithoutOwnOwner(db: Db, orgId: string): Promise<{ key: string; name: string; coveredBy: string | null }[]> {
  const rows = await sql<{ key: string; name: string; own: string | null; covered_by: string | null }>`
    with recursive effective as (
      select id, key, name, owner_person_id as own, owner_person_id as owner from journeys where org_id = ${orgId} and parent_id is null
      union all
      select j.id, j.key, j.name, j.owner_person_id, coalesce(j.owner_person_id, e.owner)
      from journeys j join effective e on j.parent_id = e.id
    )
    select key, name, own, owner as covered_by from effective where own is null order by covered_by nulls first, name
  `.execute(db);
  return rows.rows.map((r) => ({ key: r.key, name: r.name, coveredBy: r.covered_by }));
}

/** The effective owner of every journey of the organisation (own, or inherited). */
export async function effectiveOwners(db: Db, orgId: string): Promise<Map<string, string>> {
  const rows = await sql<{ id: string; owner: string | null }>`
    with recursive effective as (
      select id, owner_person_id as owner from journeys where org_id = ${orgId} and parent_id is null
      union all
      select j.id, coalesce(j.owner_person_id, e.owner) from journeys j join effective e on j.parent_id = e.id
    )
    select id, owner from effective
  `.execute(db);
  return new Map(rows.rows.flatMap((r) => (r.owner ? [[r.id, r.owner] as [string, string]] : [])));
}

export async function approvedTermsChangedBefore(db: Db, orgId: string, cutoff: Date) {
  return db
    .selectFrom('glossary_terms')
    .select(['name', 'updated_at'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'approved')
    .where('updated_at', '<', cutoff)
    .orderBy('updated_at')
    .execute();
}

/** The five queries searched most in the window that the glossary could not answer. */
export async function topMissedQueries(db: Db, window: DigestWindow): Promise<{ query: string; n: number }[]> {
  const rows = await sql<{ query: string; n: number }>`
    select min(query) as query, count(*)::int as n from glossary_lookups
    where org_id = ${window.orgId} and outcome = 'miss' and created_at > ${window.from} and created_at <= ${window.to}
    group by query_norm order by n desc, min(query) limit 5
  `.execute(db);
  return rows.rows;
}
