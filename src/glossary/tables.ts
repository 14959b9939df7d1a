// Table types of the glossary capability: terms, their aliases, the append-only version history,
// proposals waiting for a steward, and the lookup log.
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Platform } from '../db/foundation-tables.js';

export type TermStatus = 'proposed' | 'approved' | 'deprecated';
export type VersionChange = 'created' | 'edited' | 'approved' | 'aliased' | 'deprecated' | 'rolled_back' | 'imported';
export type ProposalStatus = 'pending' | 'approved' | 'rejected';
export type LookupOutcome = 'found' | 'candidates' | 'miss';

type Stamp = ColumnType<Date, Date | string, Date | string>;

export interface GlossaryTermsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  /** normalise(name): what exact lookups compare; unique per organisation. */
  name_norm: string;
  /** matchKey(name): sorted, singular tokens, so word order and plurals still hit exactly. */
  name_key: string;
  /** compact(name_norm): the name without spaces. */
  name_compact: string;
  definition: string;
  notes: string | null;
  links: JSONColumnType<string[], string, string>;
  status: TermStatus;
  replaced_by_id: string | null;
  steward_person_id: string | null;
  /** The current version number; the history holds every one. */
  version: number;
  /** The distinct singular words of the name and aliases (matchTokens), space-separated. */
  words: string;
  /** to_tsvector('simple', words), kept by the database. */
  words_tsv: ColumnType<string, never, never>;
  /** The singular words of name, definition and notes, for full-text search. */
  search_text: string;
  created_at: Stamp;
  updated_at: Stamp;
}

export interface GlossaryAliasesTable {
  id: Generated<string>;
  org_id: string;
  term_id: string;
  alias: string;
  alias_norm: string;
  created_at: Generated<Date>;
}

export interface GlossaryWordsTable {
  org_id: string;
  word: string;
}

export interface GlossaryVersionsTable {
  id: Generated<number>;
  org_id: string;
  term_id: string;
  version: number;
  name: string;
  definition: string;
  notes: string | null;
  links: JSONColumnType<string[], string, string>;
  aliases: JSONColumnType<string[], string, string>;
  status: TermStatus;
  replaced_by_id: string | null;
  steward_person_id: string | null;
  change: VersionChange;
  changed_by_person_id: string | null;
  /** Who made the change when it was not a person in chat (`import`, `demo seed`). */
  changed_by_label: string | null;
  proposed_by_person_id: string | null;
  proposal_id: string | null;
  rolled_back_to: number | null;
  created_at: Stamp;
}

export interface GlossaryProposalsTable {
  id: Generated<string>;
  org_id: string;
  /** Null for a new term. */
  term_id: string | null;
  kind: 'new' | 'edit';
  /** The version the proposer saw; changes apply field by field onto whatever is current. */
  base_version: number | null;
  /** Null means "unchanged"; an empty string clears notes. */
  name: string | null;
  name_norm: string | null;
  definition: string | null;
  notes: string | null;
  links: JSONColumnType<string[], string | null, string | null> | null;
  aliases_add: JSONColumnType<string[], string, string>;
  aliases_remove: JSONColumnType<string[], string, string>;
  proposed_by_person_id: string;
  status: Generated<ProposalStatus>;
  decided_by_person_id: string | null;
  decided_at: Date | null;
  reason: string | null;
  published_term_id: string | null;
  published_version: number | null;
  /** The outbox rows that asked the approvers, so their cards can be closed after the decision. */
  notice_outbox_ids: JSONColumnType<string[], string, string>;
  created_at: Stamp;
}

/** Where a lookup came from: chat on a platform, or an AI assistant through the MCP endpoint. */
export type LookupSource = Platform | 'mcp';

export interface GlossaryLookupsTable {
  id: Generated<number>;
  org_id: string;
  query: string;
  query_norm: string;
  term_id: string | null;
  outcome: LookupOutcome;
  person_id: string | null;
  /** The lookup's source (named `platform` from before assistants asked too). */
  platform: LookupSource;
  created_at: Stamp;
}

/** A channel an admin chose to watch for retired terms (migration 0015). */
export interface GlossaryWatchedChannelsTable {
  platform: Platform;
  conversation_external_id: string;
  org_id: string;
  name: string | null;
  watched_by: string | null;
  watched_at: Generated<Date>;
}

export interface GlossaryNudgesTable {
  person_id: string;
  term_id: string;
  day: string;
}

export interface GlossaryNudgeExceptionsTable {
  person_id: string;
  term_id: string;
  created_at: Generated<Date>;
}

export interface GlossaryAdherenceTable {
  org_id: string;
  platform: Platform;
  conversation_external_id: string;
  term_id: string;
  week: string;
  uses: Generated<number>;
}

export interface GlossaryTables {
  glossary_terms: GlossaryTermsTable;
  glossary_aliases: GlossaryAliasesTable;
  glossary_words: GlossaryWordsTable;
  glossary_versions: GlossaryVersionsTable;
  glossary_proposals: GlossaryProposalsTable;
  glossary_lookups: GlossaryLookupsTable;
  glossary_watched_channels: GlossaryWatchedChannelsTable;
  glossary_nudges: GlossaryNudgesTable;
  glossary_nudge_exceptions: GlossaryNudgeExceptionsTable;
  glossary_adherence: GlossaryAdherenceTable;
}
