// The whole database as Kysely sees it: the foundation's tables and each capability's.
import type { FoundationTables } from './foundation-tables.js';

export type Database = FoundationTables;
