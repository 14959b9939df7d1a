// Table types for reaching people (migrations/0011_reach.ts).
import type { Generated } from 'kysely';
import type { Platform } from '../db/foundation-tables.js';

/** The last attempt to find a person on a platform: remembered so a miss is not asked again on every send. */
export interface ReachChecksTable {
  person_id: string;
  platform: Platform;
  reachable: boolean;
  reason: string | null;
  checked_at: Generated<Date>;
}

/** A member of a Teams team or group chat Steward is in, as the Bot Framework roster gave it. */
export interface TeamsRosterTable {
  tenant_id: string;
  aad_object_id: string;
  member_id: string;
  name: string | null;
  email: string | null;
  user_principal_name: string | null;
  service_url: string;
  seen_at: Generated<Date>;
}

export interface ReachTables {
  reach_checks: ReachChecksTable;
  teams_roster: TeamsRosterTable;
}
