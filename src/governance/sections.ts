// The digest's sections, in the order the digest shows them. Each reads its own capability's tables.
import { sql } from 'kysely';
import { code, text } from '../chat/card.js';
import type { Db } from '../db/database.js';
import type { DigestSection, DigestSectionSource, DigestWindow } from './digest.js';

/** Journeys with no owner of their own and none to inherit from an ancestor. */
export const ownerlessJourneys: DigestSectionSource = async (db: Db, window: DigestWindow): Promise<DigestSection> => {
  const rows = await sql<{ key: string; name: string }>`
    with recursive effective as (
      select id, key, name, owner_person_id as owner from journeys where org_id = ${window.orgId} and parent_id is null
      union all
      select j.id, j.key, j.name, coalesce(j.owner_person_id, e.owner)
      from journeys j join effective e on j.parent_id = e.id
    )
    select key, name from effective where owner is null order by name
  `.execute(db);
  return {
    title: 'Journeys without an owner',
    items: rows.rows.map((r) => [text(r.name), text(' '), code(r.key)]),
    moreCommand: 'journey list',
  };
};

export const DIGEST_SECTIONS: DigestSectionSource[] = [ownerlessJourneys];
