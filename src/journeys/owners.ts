// Who is accountable for a journey: its own owner, or the nearest ancestor's (owners are inherited
// down the tree unless a journey names its own).
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface AccountableOwner {
  personId: string;
  /** The journey whose owner this is, when inherited from an ancestor. */
  inheritedFrom?: { id: string; key: string; name: string };
}

export async function accountableOwner(db: Db, journeyId: string): Promise<AccountableOwner | undefined> {
  const result = await sql<{ id: string; key: string; name: string; owner_person_id: string | null; depth: number }>`
    with recursive chain as (
      select id, key, name, parent_id, owner_person_id, 0 as depth from journeys where id = ${journeyId}
      union all
      select j.id, j.key, j.name, j.parent_id, j.owner_person_id, chain.depth + 1
      from journeys j join chain on j.id = chain.parent_id
      where chain.depth < 32
    )
    select id, key, name, owner_person_id, depth from chain where owner_person_id is not null order by depth limit 1
  `.execute(db);
  const row = result.rows[0];
  if (!row?.owner_person_id) return undefined;
  return row.depth === 0 ? { personId: row.owner_person_id } : { personId: row.owner_person_id, inheritedFrom: { id: row.id, key: row.key, name: row.name } };
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
