// What a person can see and choose about how Steward reaches them (`me`, `me prefer …`).
import type { Actor } from '../chat/actor.js';
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';
import * as repo from './repo.js';

export interface MyReach {
  email: string | null;
  preferred: Platform | null;
  /** The platforms Steward knows the person on, most recently used first. */
  knownOn: Platform[];
  /** Platforms where Steward found it cannot reach them, and why. */
  unreachable: { platform: Platform; reason: string }[];
}

export async function myReach(db: Db, actor: Actor): Promise<MyReach> {
  const person = await repo.personWithIdentities(db, actor.personId);
  const checks = await repo.reachChecksOf(db, [actor.personId]);
  return {
    email: person?.email ?? null,
    preferred: person?.preferred_platform ?? null,
    knownOn: [...new Set((person?.identities ?? []).map((i) => i.platform))],
    unreachable: checks.flatMap((c) => (!c.reachable && c.reason ? [{ platform: c.platform, reason: c.reason }] : [])),
  };
}

/** Direct messages go to this platform when Steward knows them on both; null: where they were last active. */
export async function preferPlatform(db: Db, actor: Actor, platform: Platform | null): Promise<void> {
  await repo.setPreferredPlatform(db, actor.personId, platform);
}
