// Every migration, in order. Listed here (not discovered on disk) so that the same list works from
// TypeScript sources and from the compiled build.
import type { Migration } from 'kysely';
import * as foundation from './0001_foundation.js';
import * as journeys from './0003_journeys.js';

export const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0003_journeys': journeys,
};
