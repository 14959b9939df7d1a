// The lookup's SQL: exact names and aliases, the vocabulary that corrects misspelt words, terms
// sharing words with the query and the last pass. Every query is scoped to one organisation and runs
// on Postgres and PGlite alike.
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import { PLAN_ONCE } from '../../db/prepared-client.js';
import type { PendingNewTerm } from '../cards.js';
import { cardRow, termCardSelect, type CardJson, type TermCardRow } from '../repo/term-card.js';
import type { GlossaryAliasesTable, GlossaryTermsTable, TermStatus } from '../tables.js';
import type { Candidate, PreparedQuery } from './ranking.js';

interface MatchRow {
  term_id: string;
  name: string;
  status: TermStatus;
  text: string;
  kind: 'name' | 'alias' | 'text' | 'word' | 'near' | 'card' | 'org' | 'pending' | 'summary' | `similar:${'name' | 'alias' | 'text'}`;
  text_rank: number | null;
  /** The start of the term's definition, for lists of candidates. */
  summary: string | null;
  /** The term's words (its name's and aliases'), which the confidence rule compares with the query's. */
  words: string | null;
}

function toCandidates(rows: MatchRow[]): Candidate[] {
  return rows.flatMap((r) => (r.kind === 'name' || r.kind === 'alias' || r.kind === 'text' ? [{ ...r, kind: r.kind }] : [])).map((r) => ({
    termId: r.term_id,
    name: r.name,
    status: r.status,
    text: r.text,
    kind: r.kind,
    summary: r.summary ?? '',
    ...(r.words !== null ? { words: r.words } : {}),
    ...(r.text_rank !== null ? { textRank: Number(r.text_rank) } : {}),
  }));
}

/** What the first lookup statement finds; `near` holds vocabulary words a misspelt query word may have meant. */
export interface ExactMatches extends MissContext {
  candidates: Candidate[];
  knownWords: Set<string>;
  near: { token: string; word: string }[];
  /** The card of the best exact match (a name before an alias), should the ranking choose it. */
  card?: TermCardRow;
}

/**
 * One round trip for what most lookups need: names equal to the query (also once word order and
 * plurals are ignored), aliases equal to it, which of `words` the vocabulary knows, and for each of
 * `tokens` the vocabulary does not know, the words it may have meant: those of the same first
 * letter and about the same length (answered by the (first letter, length) index), all of them,
 * as the term index offers them; the edit distance that decides happens in TypeScript. (A trigram
 * index would find fewer of them: a swap of two letters leaves a short word too few trigrams in common.)
 */
export async function exactMatches(db: Db, orgId: string, query: PreparedQuery, words: string[], tokens: string[]): Promise<ExactMatches> {
  const result = await sql<MatchRow & { extra: Record<string, unknown> | null }>`${sql.raw(PLAN_ONCE)}
    with exact as (
      select t.id as term_id, t.name, t.status, t.name_norm as text, 'name' as kind, left(t.definition, 200) as summary, t.words
      from glossary_terms t
      where t.org_id = ${orgId} and (t.name_norm = ${query.norm} or t.name_key = ${query.key})
      union all
      select t.id, t.name, t.status, a.alias_norm, 'alias', left(t.definition, 200), t.words
      from glossary_aliases a join glossary_terms t on t.id = a.term_id
      where a.org_id = ${orgId} and a.alias_norm = ${query.norm}
    )
    select term_id, name, status, text, kind, null::real as text_rank, summary, words, null::json as extra from exact
    union all
    select null, null, null, w.word, 'word', null::real, null, null, null::json
    from unnest(${words}::text[]) as u(word)
    -- offset 0 keeps this a lookup per word (primary key), whatever the statistics say.
    cross join lateral (select v.word from glossary_words v where v.org_id = ${orgId} and v.word = u.word offset 0) w
    union all
    select null, u.token, null, near.word, 'near', null::real, null, null, null::json
    from unnest(${tokens}::text[]) as u(token)
    -- Every word of the token's first letter and about its length, as the term index offers them
    -- (TermIndex.nearWords; numbers are not in its vocabulary): the edit distance picks the corrections.
    -- A shortlist of 40 by trigram similarity here once left out words the index offered (an
    -- acronym-rich vocabulary fills it), and the two paths answered differently.
    cross join lateral (
      select v.word from glossary_words v
      where v.org_id = ${orgId} and left(v.word, 1) = left(u.token, 1)
        and length(v.word) between length(u.token) - 2 and length(u.token) + 2
        and v.word !~ '^[0-9]+$'
        and not exists (select 1 from glossary_words k where k.org_id = ${orgId} and k.word = u.token)
    ) near
    union all
    -- The card of the likeliest answer, read now: most lookups are answered by this one round trip.
    select null, null, null, null, 'card', null::real, null, null, (select row_to_json(c) from (${termCardSelect(orgId, sql`best.term_id`)}) c)
    from (select term_id from exact order by kind = 'name' desc, term_id limit 1) best
    union all
    ${missContext(orgId, query.norm)}
  `.execute(db);
  const rows = result.rows;
  const card = rows.find((r) => r.kind === 'card')?.extra as CardJson | null | undefined;
  return {
    candidates: toCandidates(rows.filter((r) => r.kind === 'name' || r.kind === 'alias')),
    knownWords: new Set(rows.filter((r) => r.kind === 'word').map((r) => r.text)),
    near: rows.filter((r) => r.kind === 'near').map((r) => ({ token: r.name, word: r.text })),
    ...(card ? { card: cardRow(card) } : {}),
    ...missContextOf(rows),
  };
}

/** What a miss shows besides candidates: the time zone for dates, and whether someone proposed the name already. */
export interface MissContext {
  timeZone: string;
  pending?: PendingNewTerm;
}

/** Rows of kinds 'org' and 'pending' in a statement of MatchRow shape (see missContextOf). */
function missContext(orgId: string, norm: string) {
  return sql`
    select null, o.time_zone, null, null, 'org', null::real, null, null, null::json from organisations o where o.id = ${orgId}
    union all
    select null, p.name, null, null, 'pending', null::real, null, null, json_build_object('proposedBy', p.proposed_by, 'createdAt', p.created_at)
    from (${pendingNewNames(orgId)}) p
    where p.name_norm = ${norm}`;
}

/**
 * The new names proposed in an organisation and waiting for a steward, with who proposed them: rows
 * (name, name_norm, proposed_by, created_at). What a miss card says was proposed already, read per
 * query (missContext) or for the whole organisation (orgMissContext).
 */
function pendingNewNames(orgId: string) {
  return sql`
      select p.name, p.name_norm, by.display_name as proposed_by, p.created_at
      from glossary_proposals p join people by on by.id = p.proposed_by_person_id
      where p.org_id = ${orgId} and p.kind = 'new' and p.status = 'pending' and p.name is not null`;
}

function missContextOf(rows: (MatchRow & { extra: unknown })[]): MissContext {
  const pending = rows.find((r) => r.kind === 'pending');
  const extra = pending?.extra as { proposedBy: unknown; createdAt: unknown } | null | undefined;
  return {
    timeZone: rows.find((r) => r.kind === 'org')?.name ?? 'UTC',
    ...(pending && extra ? { pending: { name: pending.name, proposedBy: String(extra.proposedBy), createdAt: new Date(String(extra.createdAt)) } } : {}),
  };
}


/** The groups of alternatives of a reading that count: the first six that have words. */
function countedGroups(reading: string[][]): string[][] {
  return reading.filter((g) => g.length > 0).slice(0, 6);
}

/**
 * The groups of a reading a term is matched against and how many of them it must match: strictly,
 * all of one or two groups and all but one of more; loosely, one group of a reading of at most two.
 * Undefined when the reading takes no part. TermIndex.matching and groupsMatched both go by it, so
 * that the memory and SQL paths count alike.
 */
export function readingRule(reading: string[][], loose: boolean): { groups: string[][]; needed: number } | undefined {
  const groups = countedGroups(reading);
  if (groups.length === 0 || (loose && groups.length > 2)) return undefined;
  return { groups, needed: loose ? 1 : groups.length <= 2 ? groups.length : groups.length - 1 };
}

/**
 * Which words a term must share with the query, as tsqueries over groups of alternatives (a word
 * and its likely corrections). Strict: every group of a one- or two-word query; all groups but one
 * of a longer one (one word may be wrong), which keeps common words from flooding the answer.
 * Loose, asked only when the strict one finds nothing: any group of a one- or two-word query.
 * Several readings of the query (words written apart or together) are alternatives too.
 */
export function sharedWordsQuery(readings: string[][][]): { strict: string; loose: string } {
  const build = (joinShort: ' & ' | ' | ') => (groups: string[][]) => {
    const terms = countedGroups(groups).map((g) => (g.length === 1 ? g[0]! : `(${g.join(' | ')})`));
    if (terms.length <= 2) return terms.join(joinShort);
    return terms.map((_, skip) => `(${terms.filter((__, i) => i !== skip).join(' & ')})`).join(' | ');
  };
  const over = (one: (groups: string[][]) => string) => readings.map(one).filter(Boolean).map((q) => `(${q})`).join(' | ');
  return { strict: over(build(' & ')), loose: over(build(' | ')) };
}

/**
 * How many groups of the query's words a term (`s`) has, as the term index counts them
 * (TermIndex.matching): per reading, the groups it matches when they are at least as many as the
 * reading needs (readingRule), the most of any reading. Terms are ordered by it, then by the
 * length of their words and their id, in both paths.
 */
export function groupsMatched(readings: string[][][], loose: boolean) {
  const perReading = readings
    .flatMap((reading) => readingRule(reading, loose) ?? [])
    .map(({ groups, needed }) => {
      const count = sql.join(groups.map((g) => sql`(s.words_tsv @@ to_tsquery('simple', ${g.join(' | ')}))::int`), sql` + `);
      // The count written once (each group's match is evaluated once per term), then held to `needed`.
      return sql`(select case when c >= ${needed} then c else 0 end from (select ${count} as c) m)`;
    });
  return perReading.length > 0 ? sql<number>`greatest(${sql.join(perReading)})` : sql<number>`0`;
}

/** What the fuzzy passes offer, and the card of the term the shared words suggest most strongly. */
export interface FuzzyMatches {
  /** Terms sharing whole words (or their likely corrections) with the query, with their names and aliases. */
  shared: Candidate[];
  /** The last pass, for what shares no word with any term (see fuzzyMatches). */
  similar: Candidate[];
  /**
   * The card of the shared-word match that matches most groups of words, read on the chance that the
   * ranking chooses it (as it does for most misspelt names), which saves a round trip when it does.
   */
  card?: TermCardRow;
}

/**
 * Both fuzzy passes in one round trip (the last is cheap, so a lookup that needs it does not wait
 * for a second statement).
 *
 * Shared words: terms sharing whole words with the query (word order free), answered by the GIN
 * index on their words, each with its name and aliases for the ranking to score. The loose query (a
 * common word of a two-word query alone can match thousands of terms) runs only when the strict one
 * found none; Postgres decides that once, before scanning. Then the last pass (see lastPass).
 */
export async function fuzzyMatches(db: Db, orgId: string, query: PreparedQuery, readings: string[][][], limit = 12): Promise<FuzzyMatches> {
  const { strict, loose } = sharedWordsQuery(readings);
  const result = await sql<MatchRow & { extra: CardJson | null }>`${sql.raw(PLAN_ONCE)}
    with strict as (
      select s.id, ${groupsMatched(readings, false)} as rank, length(s.words) as size
      from glossary_terms s, to_tsquery('simple', ${strict}) q
      where ${strict !== ''} and s.org_id = ${orgId} and s.words_tsv @@ q
      order by rank desc, size, s.id
      limit ${limit}
    ), loose as (
      select s.id, ${groupsMatched(readings, true)} as rank, length(s.words) as size
      from glossary_terms s, to_tsquery('simple', ${loose}) q
      where ${loose !== strict} and not exists (select 1 from strict) and s.org_id = ${orgId} and s.words_tsv @@ q
      order by rank desc, size, s.id
      limit ${limit}
    ), shared as (
      select id, rank, size from strict union all select id, rank, size from loose
    ), last_pass as (${lastPass(orgId, query)})
    select t.id as term_id, t.name, t.status, x.text, x.kind, null::real as text_rank, left(t.definition, 200) as summary, t.words, null::json as extra
    from shared
    join glossary_terms t on t.id = shared.id
    cross join lateral (
      select t.name_norm as text, 'name' as kind
      union all
      select a.alias_norm, 'alias' from glossary_aliases a where a.term_id = t.id
    ) x
    union all
    select f.term_id, t.name, t.status, f.text, 'similar:' || f.kind, f.text_rank, left(t.definition, 200), t.words, null::json
    from last_pass f join glossary_terms t on t.id = f.term_id
    union all
    select null, null, null, null, 'card', null::real, null, null, (select row_to_json(c) from (${termCardSelect(orgId, sql`best.id`)}) c)
    from (select id from shared order by rank desc, size, id limit 1) best
  `.execute(db);
  const rows = result.rows;
  const card = rows.find((r) => r.kind === 'card')?.extra;
  const similarRows = rows.filter((r) => r.kind.startsWith('similar:')).map((r) => ({ ...r, kind: r.kind.slice('similar:'.length) as MatchRow['kind'] }));
  return {
    shared: toCandidates(rows.filter((r) => r.kind === 'name' || r.kind === 'alias')),
    similar: toCandidates(similarRows),
    ...(card ? { card: cardRow(card) } : {}),
  };
}

/**
 * The last pass, for what shares no word (not even a corrected one) with any term: names that
 * begin with the query written without spaces ("NetPromoterScore", "selfservice"); short aliases of
 * about the same length (acronym typos); and full-text matches in definitions and notes.
 * Rows (term_id, text, kind, text_rank).
 */
function lastPass(orgId: string, query: PreparedQuery) {
  const short = query.compact.length <= 5;
  return sql`
      (select t.id as term_id, t.name_norm as text, 'name' as kind, null::real as text_rank
       from glossary_terms t
       where ${query.compact.length >= 4} and t.org_id = ${orgId} and t.name_compact ~>=~ ${query.compact} and t.name_compact ~<~ ${afterPrefix(query.compact)}
       order by length(t.name_compact), t.id
       limit 25)
      union all
      (select a.term_id, a.alias_norm, 'alias', null::real
       from glossary_aliases a
       where ${short} and a.org_id = ${orgId} and length(a.alias_norm) <= 6
         and length(a.alias_norm) between ${query.compact.length - 1} and ${query.compact.length + 1}
         and (left(a.alias_norm, 1) = left(${query.compact}, 1) or right(a.alias_norm, 1) = right(${query.compact}, 1))
       order by a.alias_norm, a.id
       limit 200)
      union all
      (select t.id, t.name_norm, 'text', ts_rank(to_tsvector('simple', t.search_text), q)::real
       from glossary_terms t, plainto_tsquery('simple', ${query.tokens.join(' ')}) q
       where t.org_id = ${orgId} and to_tsvector('simple', t.search_text) @@ q
       order by 4 desc, t.id
       limit 10)`;
}

/**
 * For a lookup matched in memory (src/glossary/matching/term-index.ts), in one round trip: the last pass
 * when it is needed, the start of the definition of the terms a reply may show, and what a miss
 * shows besides candidates.
 */
export async function lookupDetails(
  db: Db,
  orgId: string,
  query: PreparedQuery,
  wanted: { lastPass: boolean; summariesOf: string[] },
): Promise<MissContext & { similar: Candidate[]; summaries: Map<string, string> }> {
  const result = await sql<MatchRow & { extra: unknown }>`${sql.raw(PLAN_ONCE)}
    with last_pass as (${lastPass(orgId, query)})
    select f.term_id, t.name, t.status, f.text, f.kind, f.text_rank, left(t.definition, 200) as summary, t.words, null::json as extra
    from last_pass f join glossary_terms t on t.id = f.term_id
    where ${wanted.lastPass}
    union all
    select t.id, t.name, t.status, null, 'summary', null::real, left(t.definition, 200), null, null::json
    from glossary_terms t where t.org_id = ${orgId} and t.id = any(${wanted.summariesOf}::uuid[])
    union all
    ${missContext(orgId, query.norm)}
  `.execute(db);
  const rows = result.rows;
  return {
    similar: toCandidates(rows.filter((r) => r.kind === 'name' || r.kind === 'alias' || r.kind === 'text')),
    summaries: new Map(rows.filter((r) => r.kind === 'summary').map((r) => [r.term_id, r.summary ?? ''])),
    ...missContextOf(rows),
  };
}

/** What `left(t.definition, 200)` above gives, for a definition held in memory: 200 characters (code points, as Postgres counts), not UTF-16 units. */
export function summaryOf(definition: string): string {
  if (definition.length <= 200) return definition;
  if (!/[\uD800-\uDFFF]/.test(definition)) return definition.slice(0, 200);
  return Array.from(definition).slice(0, 200).join('');
}

/**
 * The least text after every text that begins with `prefix`, in byte order (which for UTF-8 is code
 * point order): `name ~>=~ prefix and name ~<~ afterPrefix(prefix)` is `name like 'prefix%'` in a
 * form whose plan can use the index whatever the prefix (a `like` pattern given as a parameter
 * cannot, in a plan made once). Normalised text holds letters and digits only, so its last code
 * point is never the greatest one.
 */
export function afterPrefix(prefix: string): string {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  const last = points.pop() ?? 0;
  // Past the surrogate range, which no string holds as a code point.
  return String.fromCodePoint(...points, last + 1 === 0xd800 ? 0xe000 : Math.min(last + 1, 0x10ffff));
}


export type IndexTermRow = Pick<Selectable<GlossaryTermsTable>, 'id' | 'name' | 'name_norm' | 'name_key' | 'status' | 'words'>;
export type IndexAliasRow = Pick<Selectable<GlossaryAliasesTable>, 'term_id' | 'alias_norm'>;

/** A page of an organisation's terms in id order, after the id `after` (for the term index). */
export async function termIndexPage(db: Db, orgId: string, after: string, limit: number) {
  return sql<IndexTermRow>`${sql.raw(PLAN_ONCE)}
        select id, name, name_norm, name_key, status, words from glossary_terms
        where org_id = ${orgId} and id > ${after}::uuid order by id limit ${limit}`.execute(db);
}

/** The aliases of these terms (for the term index). */
export async function termIndexAliases(db: Db, termIds: string[]) {
  return sql<IndexAliasRow>`${sql.raw(PLAN_ONCE)}
            select term_id, alias_norm from glossary_aliases where term_id = any(${termIds}::uuid[]) order by term_id, alias_norm`.execute(db);
}

/**
 * Every word the last pass's full-text search can find in an organisation's terms: the lexemes of
 * to_tsvector('simple', search_text), as Postgres's own parser reads them (for the term index).
 */
export async function searchTextWords(db: Db, orgId: string): Promise<Set<string>> {
  const result = await sql<{ word: string }>`
    select word from ts_stat(format('select to_tsvector(%L, search_text) from glossary_terms where org_id = %L', 'simple', ${orgId}::text))`.execute(db);
  return new Set(result.rows.map((r) => r.word));
}

/** What every miss of an organisation shows besides candidates: its time zone and the new names proposed and waiting. */
export interface OrgMissContext {
  timeZone: string;
  /** By normalised name. */
  pending: Map<string, PendingNewTerm>;
}

/**
 * An organisation's miss context (see missContext, which reads it per query), or undefined when
 * more than `atMost` new names wait for approval (then each miss asks for its own).
 */
export async function orgMissContext(db: Db, orgId: string, atMost: number): Promise<OrgMissContext | undefined> {
  const result = await sql<{ time_zone: string | null; name: string | null; name_norm: string | null; proposed_by: string | null; created_at: Date | null }>`${sql.raw(PLAN_ONCE)}
    select o.time_zone, p.name, p.name_norm, p.proposed_by, p.created_at
    from (select 1) one
    left join organisations o on o.id = ${orgId}
    left join (${pendingNewNames(orgId)} limit ${atMost + 1}) p on true`.execute(db);
  const rows = result.rows;
  if (rows.length > atMost) return undefined;
  const pending = new Map<string, PendingNewTerm>();
  for (const r of rows) {
    if (r.name !== null && r.name_norm !== null && r.created_at !== null) pending.set(r.name_norm, { name: r.name, proposedBy: String(r.proposed_by), createdAt: new Date(r.created_at) });
  }
  return { timeZone: rows[0]?.time_zone ?? 'UTC', pending };
}

