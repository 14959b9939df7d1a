// Table types of the journeys capability.
import type { Generated } from 'kysely';

export interface JourneysTable {
  id: Generated<string>;
  org_id: string;
  key: string;
  name: string;
  level: 'lifecycle' | 'journey' | 'task';
  parent_id: string | null;
  owner_person_id: string | null;
  deputy_person_id: string | null;
  description: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface JourneyTables {
  journeys: JourneysTable;
}
