// Who is accountable for a journey: its own owner, or the nearest ancestor's (owners are inherited
// down the tree unless a journey names its own); and who is next in line when a ping escalates.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Executor } from './repo.js';

export interface AccountableOwner {
  personId: string;
  /** The journey whose owner this is, when inherited from an ancestor. */
  inheritedFrom?: { id: string; key: string; name: string };
}

export interface ChainLink {
  id: string;
  key: string;
  name: string;
  ownerPersonId: string | null;
  deputyPersonId: string | null;
  /** 0 for the journey itself, 1 for its parent, … */
  depth: number;
}

/** The journey and its ancestors, nearest first (bounded, like the tree's depth). */
export async function ownerChain(db: Executor, journeyId: string): Promise<ChainLink[]> {
  const result = await sql<{ id: string; key: string; name: string; owner_person_id: string | null; deputy_person_id: string | null; depth: number }>`
    with recursive chain as (
      select id, key, name, parent_id, owner_person_id, deputy_person_id, 0 as depth from journeys where id = ${journeyId}
      union all
      select j.id, j.key, j.name, j.parent_id, j.owner_person_id, j.deputy_person_id, chain.depth + 1
      from journeys j join chain on j.id = chain.parent_id
      where chain.depth < 32
    )
    select id, key, name, owner_person_id, deputy_person_id, depth from chain order by depth
  `.execute(db);
  return result.rows.map((r) => ({
    id: r.id,
    key: r.key,
    name: r.name,
    ownerPersonId: r.owner_person_id,
    deputyPersonId: r.deputy_person_id,
    depth: Number(r.depth),
  }));
}

export async function accountableOwner(db: Db, journeyId: string): Promise<AccountableOwner | undefined> {
  const link = (await ownerChain(db, journeyId)).find((l) => l.ownerPersonId);
  if (!link?.ownerPersonId) return undefined;
  return link.depth === 0 ? { personId: link.ownerPersonId } : { personId: link.ownerPersonId, inheritedFrom: { id: link.id, key: link.key, name: link.name } };
}

export interface Holder {
  personId: string;
  /** The journey that names this person as owner. */
  journeyId: string;
  journeyName: string;
  deputyPersonId: string | null;
}

/** The accountable owner of a journey, with the journey that names them (and its deputy). */
export async function holderFor(db: Executor, journeyId: string): Promise<Holder | undefined> {
  const link = (await ownerChain(db, journeyId)).find((l) => l.ownerPersonId);
  if (!link?.ownerPersonId) return undefined;
  return { personId: link.ownerPersonId, journeyId: link.id, journeyName: link.name, deputyPersonId: link.deputyPersonId };
}

/**
 * Who a ping escalates to from the owner named on `fromJourneyId`: the nearest ancestor's owner who
 * is someone else (an owner who also owns the parent would only be asked twice).
 */
export async function nextHolderAbove(db: Executor, fromJourneyId: string, currentPersonId: string | null): Promise<Holder | undefined> {
  const link = (await ownerChain(db, fromJourneyId)).find((l) => l.depth > 0 && l.ownerPersonId && l.ownerPersonId !== currentPersonId);
  if (!link?.ownerPersonId) return undefined;
  return { personId: link.ownerPersonId, journeyId: link.id, journeyName: link.name, deputyPersonId: link.deputyPersonId };
}

/** A journey by exact key or case-insensitive name, within one organisation. */
export async function findJourneyExact(db: Db, orgId: string, keyOrName: string) {
  const needle = keyOrName.trim().toLowerCase();
  return db
    .selectFrom('journeys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('key', '=', needle), eb(sql`lower(name)`, '=', needle)]))
    .executeTakeFirst();
}
