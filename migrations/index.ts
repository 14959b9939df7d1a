// Every migration, in order. Listed here (not discovered on disk) so that the same list works from
// TypeScript sources and from the compiled build.
import type { Migration } from 'kysely';
import * as foundation from './0001_foundation.js';
import * as glossary from './0002_glossary.js';
import * as journeys from './0003_journeys.js';
import * as proposals from './0004_proposals.js';
import * as kpis from './0005_kpis.js';
import * as governance from './0006_governance.js';
import * as changeNotices from './0007_change_notices.js';
import * as changeNoticeTables from './0008_change_notice_tables.js';
import * as rememberedTables from './0009_remembered_tables.js';
import * as inboundEvents from './0010_inbound_events.js';
import * as reach from './0011_reach.js';
import * as clickInbox from './0012_click_inbox.js';
import * as tokenScopes from './0013_token_scopes.js';
import * as glossaryWatch from './0015_glossary_watch.js';
import * as homeViews from './0016_home_views.js';
import * as homeStale from './0017_home_stale.js';
import * as outboxFailedAt from './0018_outbox_failed_at.js';
import * as personIndexes from './0019_person_indexes.js';
import * as retiredTermsIndex from './0020_retired_terms_index.js';
import * as termIndexSearchWords from './0021_term_index_search_words.js';
import * as actorNotices from './0022_actor_notices.js';
import * as lookupsWithoutTermLock from './0023_lookups_without_term_lock.js';

export const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_glossary': glossary,
  '0003_journeys': journeys,
  '0004_proposals': proposals,
  '0005_kpis': kpis,
  '0006_governance': governance,
  '0007_change_notices': changeNotices,
  '0008_change_notice_tables': changeNoticeTables,
  '0009_remembered_tables': rememberedTables,
  '0010_inbound_events': inboundEvents,
  '0011_reach': reach,
  '0012_click_inbox': clickInbox,
  '0013_token_scopes': tokenScopes,
  // 0014 was kept for a change that did not land; the names only need to sort in order.
  '0015_glossary_watch': glossaryWatch,
  '0016_home_views': homeViews,
  '0017_home_stale': homeStale,
  '0018_outbox_failed_at': outboxFailedAt,
  '0019_person_indexes': personIndexes,
  '0020_retired_terms_index': retiredTermsIndex,
  '0021_term_index_search_words': termIndexSearchWords,
  '0022_actor_notices': actorNotices,
  '0023_lookups_without_term_lock': lookupsWithoutTermLock,
};
