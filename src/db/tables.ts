// The whole database as Kysely sees it: the foundation's tables and each capability's.
import type { FoundationTables } from './foundation-tables.js';
import type { JourneyTables } from '../journeys/tables.js';
import type { GlossaryTables } from '../glossary/tables.js';
import type { GovernanceTables } from '../governance/tables.js';
import type { KpiTables } from '../kpis/tables.js';
import type { ProposalTables } from '../proposals/tables.js';
import type { TokenTables } from '../tokens/tables.js';
import type { ReachTables } from '../reach/tables.js';

export type Database = FoundationTables & GlossaryTables & JourneyTables & GovernanceTables & KpiTables & ProposalTables & TokenTables & ReachTables;
