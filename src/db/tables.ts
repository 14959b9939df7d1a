// The whole database as Kysely sees it: the foundation's tables and each capability's.
import type { FoundationTables } from './foundation-tables.js';
import type { JourneyTables } from '../journeys/tables.js';

export type Database = FoundationTables & JourneyTables;
