// Who Steward must be able to reach (owners, deputies, stewards, board, admins) and whether it can,
// per platform the organisation uses: for `steward people check` and the weekly digest.
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';
import * as repo from './repo.js';
import type { Reach } from './resolver.js';

export type Reachability = { status: 'reachable' } | { status: 'unreachable'; reason: string } | { status: 'not-checked' };

export interface PersonReach {
  personId: string;
  name: string;
  email: string | null;
  /** "journey owner, board", what they are accountable as. */
  why: string;
  platforms: Partial<Record<Platform, Reachability>>;
}

export interface PeopleCheck {
  /** The platforms the organisation uses (a workspace or tenant has talked to Steward). */
  platforms: Platform[];
  people: PersonReach[];
}

/**
 * Everyone accountable, with what Steward knows of reaching them. With `reach`, people not yet
 * checked are looked up now, as a message to them would (Slack by e-mail, the Teams rosters).
 */
export async function checkPeople(db: Db, orgId: string, reach?: Reach): Promise<PeopleCheck> {
  const platforms: Platform[] = [];
  for (const platform of ['slack', 'teams'] as const) if ((await repo.installationIds(db, orgId, platform)).length > 0) platforms.push(platform);
  const people = await repo.accountablePeople(db, orgId);
  const ids = people.map((p) => p.id);
  if (reach) for (const id of ids) await reach.check(id);
  const known = new Map((await repo.identityPlatformsOf(db, ids)).map((i) => [`${i.person_id}:${i.platform}`, i.created_at]));
  const checks = new Map((await repo.reachChecksOf(db, ids)).map((c) => [`${c.person_id}:${c.platform}`, c]));
  return {
    platforms,
    people: people.map((p) => ({
      personId: p.id,
      name: p.display_name,
      email: p.email,
      why: p.why,
      platforms: Object.fromEntries(
        platforms.map((platform): [Platform, Reachability] => {
          const key = `${p.id}:${platform}`;
          const check = checks.get(key);
          const knownSince = known.get(key);
          // Known there, unless the platform refused a message to them since (Teams: not installed for them).
          const refused = check && !check.reachable && check.reason ? check.reason : undefined;
          if (knownSince && !(refused && check && check.checked_at > knownSince)) return [platform, { status: 'reachable' }];
          if (refused) return [platform, { status: 'unreachable', reason: refused }];
          if (!p.email) return [platform, { status: 'unreachable', reason: 'no e-mail address is recorded for them, and they have not used Steward' }];
          return [platform, { status: 'not-checked' }];
        }),
      ),
    })),
  };
}

/** People no platform can reach (each platform checked and refused): the digest's list. */
export function unreachableEverywhere(check: PeopleCheck): PersonReach[] {
  if (check.platforms.length === 0) return [];
  return check.people.filter((p) => check.platforms.every((platform) => p.platforms[platform]?.status === 'unreachable'));
}
