// What each remembered answer shows, declared once: the tables and columns read by the SQL behind
// it. The change-notice triggers are created from this (migrations/0009_remembered_tables.ts), a
// test compares the installed triggers with it, and each cache forgets only on notices it names.
// A card that starts to show another table or column adds it here, and a new migration installs it.

/** One table an answer shows. */
export interface ShownTable {
  table: string;
  /** The columns read; left out when the answer shows every change (insert, update of any column, delete). */
  columns?: readonly string[];
  /** What the notice names, when not the table (a narrower notice for answers that need less). */
  notice?: string;
}

const TERM_CARD: readonly ShownTable[] = [
  // src/glossary/repo.ts termCardSelect, exactMatches, fuzzyMatches, lookupDetails.
  { table: 'glossary_terms' },
  { table: 'glossary_aliases' },
  { table: 'glossary_words', columns: ['org_id', 'word'] },
  // A term card counts pending proposals; a miss says who proposed the name already.
  { table: 'glossary_proposals' },
  { table: 'organisations', columns: ['id', 'time_zone'] },
  // The steward, and the proposer of a pending name.
  { table: 'people', columns: ['id', 'display_name'] },
  { table: 'identities', columns: ['person_id', 'platform', 'external_user_id'] },
];

/** src/kpis/glossary-section.ts kpiTermLinks. */
const KPI_LINKS: readonly ShownTable[] = [
  { table: 'kpis', columns: ['org_id', 'key', 'name', 'journey_id', 'glossary_term', 'glossary_term_id'] },
  { table: 'journeys', columns: ['id', 'name'] },
];

/** The columns of src/kpis/repo.ts KPI_COLUMNS (breach_periods and remind_every_periods are on the detail card). */
const KPI_ROW = ['id', 'org_id', 'journey_id', 'key', 'name', 'unit', 'direction', 'target', 'warning', 'breach', 'cadence', 'glossary_term', 'glossary_term_id', 'breach_periods', 'remind_every_periods'];

/**
 * Per remembered answer, what it shows. Columns a busy path writes and no answer shows stay out, so
 * they do not empty every cache: alert evaluation bumps kpis.alerts_evaluated_version, an ingest
 * kpis.values_version, every command identities.last_seen_at.
 */
export const REMEMBERED_TABLES = {
  /** A lookup's card (src/glossary/capability.ts), with the KPIs that use the term (an injected section). */
  glossaryAnswers: [...TERM_CARD, ...KPI_LINKS],
  /** Term cards, per term and whole glossaries (src/glossary/term-cards.ts, card-store.ts): the card alone, without the KPI section. */
  termCards: TERM_CARD,
  /** An organisation's KPI ↔ term links, kept for the term card's KPI section. */
  kpiLinks: KPI_LINKS,
  /** `kpi <journey or kpi>` (src/kpis/capability.ts snapshot: kpiCard, journeyCard, snapshot.ts definitionsOf). */
  kpiSnapshots: [
    { table: 'kpis', columns: KPI_ROW },
    { table: 'kpi_values', columns: ['kpi_id', 'segment', 'period_start', 'value'] },
    // The journey by key or name, and its owner up the tree (src/journeys/owners.ts ownerChain).
    { table: 'journeys', columns: ['id', 'org_id', 'key', 'name', 'parent_id', 'owner_person_id', 'deputy_person_id'] },
    { table: 'people', columns: ['id', 'display_name'] },
    { table: 'identities', columns: ['person_id', 'platform', 'external_user_id'] },
    { table: 'glossary_terms', columns: ['id', 'org_id', 'name_norm', 'definition'] },
    { table: 'glossary_aliases', columns: ['org_id', 'term_id', 'alias_norm'] },
  ],
  /**
   * The names, aliases and words matched in memory (src/glossary/matching/term-index.ts load), and
   * the words of the terms' search text (what the last pass can find). An edit that leaves those
   * alone (a link, the steward) does not make an index stale, so terms notify it under their own name.
   */
  /**
   * Who asks (src/orgs/service.ts resolveActor: repo.ts findPersonByIdentity): the person of an
   * identity, with their roles. last_seen_at stays out: every command's refresh would forget them all.
   */
  actors: [
    { table: 'identities', columns: ['id', 'person_id', 'platform', 'installation_external_id', 'external_user_id'] },
    { table: 'people', columns: ['id', 'org_id', 'display_name', 'email'] },
    { table: 'roles' },
  ],
  termIndexes: [
    { table: 'glossary_terms', columns: ['id', 'org_id', 'name', 'name_norm', 'name_key', 'status', 'words', 'search_text'], notice: 'glossary_names' },
    { table: 'glossary_aliases', columns: ['term_id', 'alias_norm'] },
  ],
} as const satisfies Record<string, readonly ShownTable[]>;

export type RememberedAnswer = keyof typeof REMEMBERED_TABLES;

/** What the notice for `shown` names. */
export const noticeOf = (shown: ShownTable): string => shown.notice ?? shown.table;

/** The notices that can change what `answer` shows. */
export function noticesFor(answer: RememberedAnswer): ReadonlySet<string> {
  return new Set(REMEMBERED_TABLES[answer].map(noticeOf));
}

/** One statement-level trigger: after insert, delete, truncate and update (of `columns` only, when given). */
export interface NoticeTrigger {
  name: string;
  table: string;
  /** Sorted; undefined: an update of any column. */
  columns?: string[];
  /** The trigger's argument when the notice names something other than the table. */
  notice?: string;
}

/** The triggers that send every notice REMEMBERED_TABLES needs: one per table and notice, columns united. */
export function noticeTriggers(tables: Record<string, readonly ShownTable[]> = REMEMBERED_TABLES): NoticeTrigger[] {
  const byNotice = new Map<string, NoticeTrigger>();
  for (const shown of Object.values(tables).flat()) {
    const notice = noticeOf(shown);
    const key = `${shown.table} ${notice}`;
    const known = byNotice.get(key);
    const columns = shown.columns && (!known || known.columns) ? [...new Set([...(known?.columns ?? []), ...shown.columns])].sort() : undefined;
    byNotice.set(key, {
      // The names migrations/0007 gave the table triggers stay (`<table>_notify_change`).
      name: notice === shown.table ? `${shown.table}_notify_change` : `${shown.table}_notify_${notice}`,
      table: shown.table,
      ...(columns ? { columns } : {}),
      ...(notice === shown.table ? {} : { notice }),
    });
  }
  return [...byNotice.values()].sort((a, b) => a.name.localeCompare(b.name));
}
