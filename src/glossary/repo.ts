// The glossary's SQL. Every query is scoped to one organisation and runs on Postgres and PGlite alike.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import { PLAN_ONCE } from '../db/prepared-client.js';
import type { Platform } from '../db/foundation-tables.js';
import type { PendingNewTerm } from './cards.js';
import { isNumber } from './normalise.js';
import type { Candidate, PreparedQuery } from './ranking.js';
import type { TermStatus, VersionChange } from './tables.js';

/** Glossary writes of one organisation take turns, so name and alias checks cannot race. */
export async function lockGlossary(trx: Db, orgId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(727100, hashtext(${orgId}::text))`.execute(trx);
}

interface MatchRow {
  term_id: string;
  name: string;
  status: TermStatus;
  text: string;
  kind: 'name' | 'alias' | 'text' | 'word' | 'near' | 'card' | 'org' | 'pending' | 'summary' | `similar:${'name' | 'alias' | 'text'}`;
  text_rank: number | null;
  /** The start of the term's definition, for lists of candidates. */
  summary: string | null;
}

function toCandidates(rows: MatchRow[]): Candidate[] {
  return rows.flatMap((r) => (r.kind === 'name' || r.kind === 'alias' || r.kind === 'text' ? [{ ...r, kind: r.kind }] : [])).map((r) => ({
    termId: r.term_id,
    name: r.name,
    status: r.status,
    text: r.text,
    kind: r.kind,
    summary: r.summary ?? '',
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
 * letter and about the same length (answered by the (first letter, length) index), most
 * trigram-similar first; the edit distance that decides happens in TypeScript. (A trigram index
 * would find fewer of them: a swap of two letters leaves a short word too few trigrams in common.)
 */
export async function exactMatches(db: Db, orgId: string, query: PreparedQuery, words: string[], tokens: string[]): Promise<ExactMatches> {
  const result = await sql<MatchRow & { extra: Record<string, unknown> | null }>`${sql.raw(PLAN_ONCE)}
    with exact as (
      select t.id as term_id, t.name, t.status, t.name_norm as text, 'name' as kind, left(t.definition, 200) as summary
      from glossary_terms t
      where t.org_id = ${orgId} and (t.name_norm = ${query.norm} or t.name_key = ${query.key})
      union all
      select t.id, t.name, t.status, a.alias_norm, 'alias', left(t.definition, 200)
      from glossary_aliases a join glossary_terms t on t.id = a.term_id
      where a.org_id = ${orgId} and a.alias_norm = ${query.norm}
    )
    select term_id, name, status, text, kind, null::real as text_rank, summary, null::json as extra from exact
    union all
    select null, null, null, w.word, 'word', null::real, null, null::json
    from unnest(${words}::text[]) as u(word)
    -- offset 0 keeps this a lookup per word (primary key), whatever the statistics say.
    cross join lateral (select v.word from glossary_words v where v.org_id = ${orgId} and v.word = u.word offset 0) w
    union all
    select null, u.token, null, near.word, 'near', null::real, null, null::json
    from unnest(${tokens}::text[]) as u(token)
    cross join lateral (
      select v.word from glossary_words v
      where v.org_id = ${orgId} and left(v.word, 1) = left(u.token, 1)
        and length(v.word) between length(u.token) - 2 and length(u.token) + 2
        and not exists (select 1 from glossary_words k where k.org_id = ${orgId} and k.word = u.token)
      order by similarity(v.word, u.token) desc, v.word
      limit 40
    ) near
    union all
    -- The card of the likeliest answer, read now: most lookups are answered by this one round trip.
    select null, null, null, null, 'card', null::real, null, (select row_to_json(c) from (${termCardSelect(orgId, sql`best.term_id`)}) c)
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
    select null, o.time_zone, null, null, 'org', null::real, null, null::json from organisations o where o.id = ${orgId}
    union all
    select null, p.name, null, null, 'pending', null::real, null, json_build_object('proposedBy', by.display_name, 'createdAt', p.created_at)
    from glossary_proposals p join people by on by.id = p.proposed_by_person_id
    where p.org_id = ${orgId} and p.kind = 'new' and p.status = 'pending' and p.name_norm = ${norm} and p.name is not null`;
}

function missContextOf(rows: (MatchRow & { extra: unknown })[]): MissContext {
  const pending = rows.find((r) => r.kind === 'pending');
  const extra = pending?.extra as { proposedBy: unknown; createdAt: unknown } | null | undefined;
  return {
    timeZone: rows.find((r) => r.kind === 'org')?.name ?? 'UTC',
    ...(pending && extra ? { pending: { name: pending.name, proposedBy: String(extra.proposedBy), createdAt: new Date(String(extra.createdAt)) } } : {}),
  };
}

/** Adds the words of names and aliases to the organisation's vocabulary (numbers are left out). */
export async function addWords(trx: Db, orgId: string, words: Iterable<string>): Promise<void> {
  const list = [...new Set(words)].filter((w) => w && !isNumber(w));
  for (let i = 0; i < list.length; i += BULK) {
    await sql`insert into glossary_words (org_id, word) select ${orgId}, unnest(${list.slice(i, i + BULK)}::text[]) on conflict do nothing`.execute(trx);
  }
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
    const terms = groups.filter((g) => g.length > 0).slice(0, 6).map((g) => (g.length === 1 ? g[0]! : `(${g.join(' | ')})`));
    if (terms.length <= 2) return terms.join(joinShort);
    return terms.map((_, skip) => `(${terms.filter((__, i) => i !== skip).join(' & ')})`).join(' | ');
  };
  const over = (one: (groups: string[][]) => string) => readings.map(one).filter(Boolean).map((q) => `(${q})`).join(' | ');
  return { strict: over(build(' & ')), loose: over(build(' | ')) };
}

/** What the fuzzy passes offer, and the card of the term the shared words suggest most strongly. */
export interface FuzzyMatches {
  /** Terms sharing whole words (or their likely corrections) with the query, with their names and aliases. */
  shared: Candidate[];
  /** The last pass, for what shares no word with any term (see fuzzyMatches). */
  similar: Candidate[];
  /**
   * The card of the shared-word match with the highest text rank, read on the chance that the
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
      select s.id, ts_rank(s.words_tsv, q) as rank, length(s.words) as size
      from glossary_terms s, to_tsquery('simple', ${strict}) q
      where ${strict !== ''} and s.org_id = ${orgId} and s.words_tsv @@ q
      order by rank desc, size, s.id
      limit ${limit}
    ), loose as (
      select s.id, ts_rank(s.words_tsv, q) as rank, length(s.words) as size
      from glossary_terms s, to_tsquery('simple', ${loose}) q
      where ${loose !== strict} and not exists (select 1 from strict) and s.org_id = ${orgId} and s.words_tsv @@ q
      order by rank desc, size, s.id
      limit ${limit}
    ), shared as (
      select id, rank, size from strict union all select id, rank, size from loose
    ), last_pass as (${lastPass(orgId, query)})
    select t.id as term_id, t.name, t.status, x.text, x.kind, null::real as text_rank, left(t.definition, 200) as summary, null::json as extra
    from shared
    join glossary_terms t on t.id = shared.id
    cross join lateral (
      select t.name_norm as text, 'name' as kind
      union all
      select a.alias_norm, 'alias' from glossary_aliases a where a.term_id = t.id
    ) x
    union all
    select f.term_id, t.name, t.status, f.text, 'similar:' || f.kind, f.text_rank, left(t.definition, 200), null::json
    from last_pass f join glossary_terms t on t.id = f.term_id
    union all
    select null, null, null, null, 'card', null::real, null, (select row_to_json(c) from (${termCardSelect(orgId, sql`best.id`)}) c)
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
 * For a lookup matched in memory (src/glossary/term-index.ts), in one round trip: the last pass
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
    select f.term_id, t.name, t.status, f.text, f.kind, f.text_rank, left(t.definition, 200) as summary, null::json as extra
    from last_pass f join glossary_terms t on t.id = f.term_id
    where ${wanted.lastPass}
    union all
    select t.id, t.name, t.status, null, 'summary', null::real, left(t.definition, 200), null::json
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

export interface TermRow {
  id: string;
  org_id: string;
  name: string;
  definition: string;
  notes: string | null;
  links: string[];
  status: TermStatus;
  replaced_by_id: string | null;
  steward_person_id: string | null;
  version: number;
  updated_at: Date;
}

const TERM_COLUMNS = [
  'id',
  'org_id',
  'name',
  'definition',
  'notes',
  'links',
  'status',
  'replaced_by_id',
  'steward_person_id',
  'version',
  'updated_at',
] as const;

export async function findTerm(db: Db, orgId: string, termId: string): Promise<TermRow | undefined> {
  return db.selectFrom('glossary_terms').select(TERM_COLUMNS).where('org_id', '=', orgId).where('id', '=', termId).executeTakeFirst();
}

/** The term, locked until the transaction ends. */
export async function lockTerm(trx: Db, orgId: string, termId: string): Promise<TermRow | undefined> {
  return trx.selectFrom('glossary_terms').select(TERM_COLUMNS).where('org_id', '=', orgId).where('id', '=', termId).forUpdate().executeTakeFirst();
}

export async function aliasesOf(db: Db, termId: string): Promise<string[]> {
  const rows = await db.selectFrom('glossary_aliases').select('alias').where('term_id', '=', termId).orderBy('created_at').orderBy('alias').execute();
  return rows.map((r) => r.alias);
}

export async function orgTimeZone(db: Db, orgId: string): Promise<string> {
  const row = await db.selectFrom('organisations').select('time_zone').where('id', '=', orgId).executeTakeFirst();
  return row?.time_zone ?? 'UTC';
}

export interface NewTermRow {
  org_id: string;
  name: string;
  name_norm: string;
  name_key: string;
  name_compact: string;
  definition: string;
  notes: string | null;
  links: string;
  status: TermStatus;
  replaced_by_id: string | null;
  steward_person_id: string | null;
  version: number;
  words: string;
  search_text: string;
  created_at: Date;
  updated_at: Date;
}

export interface VersionRow {
  org_id: string;
  term_id: string;
  version: number;
  name: string;
  definition: string;
  notes: string | null;
  links: string;
  aliases: string;
  status: TermStatus;
  replaced_by_id: string | null;
  steward_person_id: string | null;
  change: VersionChange;
  changed_by_person_id: string | null;
  changed_by_label: string | null;
  proposed_by_person_id: string | null;
  proposal_id: string | null;
  rolled_back_to: number | null;
  created_at: Date;
}

export interface AliasRow {
  org_id: string;
  term_id: string;
  alias: string;
  alias_norm: string;
}

export async function insertVersion(trx: Db, row: VersionRow): Promise<void> {
  await trx.insertInto('glossary_versions').values(row).execute();
}

export async function versionsOf(db: Db, termId: string, limit: number) {
  return db
    .selectFrom('glossary_versions as v')
    .leftJoin('people as by', 'by.id', 'v.changed_by_person_id')
    .leftJoin('people as proposer', 'proposer.id', 'v.proposed_by_person_id')
    .select([
      'v.version',
      'v.name',
      'v.definition',
      'v.notes',
      'v.links',
      'v.aliases',
      'v.status',
      'v.replaced_by_id',
      'v.steward_person_id',
      'v.change',
      'v.changed_by_person_id',
      'v.changed_by_label',
      'v.proposed_by_person_id',
      'v.rolled_back_to',
      'v.created_at',
      'by.display_name as changed_by_name',
      'proposer.display_name as proposed_by_name',
    ])
    .where('v.term_id', '=', termId)
    .orderBy('v.version', 'desc')
    .limit(limit)
    .execute();
}

export async function versionOf(db: Db, orgId: string, termId: string, version: number) {
  return db
    .selectFrom('glossary_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('term_id', '=', termId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function countVersions(db: Db, termId: string): Promise<number> {
  const row = await db.selectFrom('glossary_versions').select((eb) => eb.fn.countAll<number>().as('n')).where('term_id', '=', termId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Terms changed most recently, with the change that made their current version. */
export async function recentlyChanged(db: Db, orgId: string, limit: number) {
  return db
    .selectFrom('glossary_terms as t')
    .innerJoin('glossary_versions as v', (join) => join.onRef('v.term_id', '=', 't.id').onRef('v.version', '=', 't.version'))
    .leftJoin('people as by', 'by.id', 'v.changed_by_person_id')
    .select(['t.id', 't.name', 't.status', 't.version', 't.updated_at', 'v.change', 'v.changed_by_label', 'by.display_name as changed_by_name'])
    .where('t.org_id', '=', orgId)
    .orderBy('t.updated_at', 'desc')
    .orderBy('t.name')
    .limit(limit)
    .execute();
}

export async function findLookup(db: Db, orgId: string, lookupId: number) {
  return db.selectFrom('glossary_lookups').select(['id', 'query', 'query_norm']).where('org_id', '=', orgId).where('id', '=', lookupId).executeTakeFirst();
}

export async function mostLookedUp(db: Db, orgId: string, since: Date, limit: number) {
  return db
    .selectFrom('glossary_lookups as l')
    .innerJoin('glossary_terms as t', 't.id', 'l.term_id')
    .select(['t.id', 't.name', (eb) => eb.fn.countAll<number>().as('count')])
    .where('l.org_id', '=', orgId)
    .where('l.created_at', '>=', since)
    .where('l.outcome', '=', 'found')
    .groupBy(['t.id', 't.name'])
    .orderBy('count', 'desc')
    .orderBy('t.name')
    .limit(limit)
    .execute();
}

/** Queries that found no term, grouped by their normalised text; the most recent wording is shown. */
export async function mostMissed(db: Db, orgId: string, since: Date, limit: number) {
  const result = await sql<{ query_norm: string; query: string; count: number }>`
    select l.query_norm, (array_agg(l.query order by l.created_at desc))[1] as query, count(*)::int as count
    from glossary_lookups l
    where l.org_id = ${orgId} and l.created_at >= ${since} and l.outcome <> 'found'
      and not exists (
        select 1 from glossary_terms t where t.org_id = l.org_id and t.name_norm = l.query_norm
        union all
        select 1 from glossary_aliases a where a.org_id = l.org_id and a.alias_norm = l.query_norm
      )
    group by l.query_norm
    order by count(*) desc, l.query_norm
    limit ${limit}
  `.execute(db);
  return result.rows.map((r) => ({ ...r, count: Number(r.count) }));
}

export async function lookupTotals(db: Db, orgId: string, since: Date) {
  const result = await sql<{ total: number; found: number }>`
    select count(*)::int as total, count(*) filter (where outcome = 'found')::int as found
    from glossary_lookups where org_id = ${orgId} and created_at >= ${since}
  `.execute(db);
  const row = result.rows[0];
  return { total: Number(row?.total ?? 0), found: Number(row?.found ?? 0) };
}

export async function termCount(db: Db, orgId: string) {
  const result = await sql<{ status: TermStatus; n: number }>`select status, count(*)::int as n from glossary_terms where org_id = ${orgId} group by status`.execute(db);
  return Object.fromEntries(result.rows.map((r) => [r.status, Number(r.n)])) as Partial<Record<TermStatus, number>>;
}

export async function pendingNewProposal(db: Db, orgId: string, norm: string) {
  return db
    .selectFrom('glossary_proposals as p')
    .innerJoin('people as by', 'by.id', 'p.proposed_by_person_id')
    .select(['p.id', 'p.name', 'p.created_at', 'by.display_name as proposed_by'])
    .where('p.org_id', '=', orgId)
    .where('p.kind', '=', 'new')
    .where('p.status', '=', 'pending')
    .where('p.name_norm', '=', norm)
    .executeTakeFirst();
}

export async function lockProposal(trx: Db, orgId: string, proposalId: string) {
  return trx.selectFrom('glossary_proposals').selectAll().where('org_id', '=', orgId).where('id', '=', proposalId).forUpdate().executeTakeFirst();
}

export async function findProposal(db: Db, orgId: string, proposalId: string) {
  return db.selectFrom('glossary_proposals').selectAll().where('org_id', '=', orgId).where('id', '=', proposalId).executeTakeFirst();
}

export async function personName(db: Db, personId: string | null): Promise<string | undefined> {
  if (!personId) return undefined;
  const row = await db.selectFrom('people').select('display_name').where('id', '=', personId).executeTakeFirst();
  return row?.display_name;
}

/** Terms that use any of these normalised texts as their name or as an alias. */
export async function ownersOfTexts(db: Db, orgId: string, norms: string[]) {
  if (norms.length === 0) return [];
  const result = await sql<{ norm: string; term_id: string; name: string; kind: 'name' | 'alias' }>`
    select t.name_norm as norm, t.id as term_id, t.name, 'name' as kind
    from unnest(${norms}::text[]) as u(norm)
    cross join lateral (select * from glossary_terms s where s.org_id = ${orgId} and s.name_norm = u.norm offset 0) t
    union all
    select a.alias_norm, t.id, t.name, 'alias'
    from unnest(${norms}::text[]) as u(norm)
    cross join lateral (select * from glossary_aliases s where s.org_id = ${orgId} and s.alias_norm = u.norm offset 0) a
    join glossary_terms t on t.id = a.term_id
  `.execute(db);
  return result.rows;
}

/** Everything a term card shows. */
export type TermCardRow = TermRow & {
  time_zone: string;
  aliases: string[];
  steward_name: string | null;
  steward_identities: { platform: Platform; user: string }[] | null;
  replaced_by_name: string | null;
  pending_proposals: number;
};

/** The card of the term whose id `termId` yields (a parameter, or a column of an enclosing query). */
function termCardSelect(orgId: string, termId: RawBuilder<unknown> | string) {
  return sql`
    select t.id, t.org_id, t.name, t.definition, t.notes, t.links, t.status, t.replaced_by_id, t.steward_person_id, t.version, t.updated_at,
      o.time_zone,
      coalesce((select json_agg(a.alias order by a.created_at, a.alias) from glossary_aliases a where a.term_id = t.id), '[]'::json) as aliases,
      p.display_name as steward_name,
      (select json_agg(json_build_object('platform', i.platform, 'user', i.external_user_id)) from identities i where i.person_id = t.steward_person_id) as steward_identities,
      r.name as replaced_by_name,
      (select count(*)::int from glossary_proposals gp where gp.term_id = t.id and gp.status = 'pending') as pending_proposals
    from glossary_terms t
    join organisations o on o.id = t.org_id
    left join people p on p.id = t.steward_person_id
    left join glossary_terms r on r.id = t.replaced_by_id
    where t.org_id = ${orgId} and t.id = ${termId}
  `;
}

/** A card row as row_to_json gives it (inside a larger statement): dates as text. */
type CardJson = Omit<TermCardRow, 'updated_at'> & { updated_at: string };

const cardRow = (json: CardJson): TermCardRow => ({ ...json, updated_at: new Date(json.updated_at) });

/** Everything a term card shows, in one round trip. */
export async function termCardData(db: Db, orgId: string, termId: string): Promise<TermCardRow | undefined> {
  const result = await sql<TermCardRow>`${sql.raw(PLAN_ONCE)}${termCardSelect(orgId, termId)}`.execute(db);
  return result.rows[0];
}

// Bulk writes for imports: one statement per few thousand rows, each column passed as one array
// (unnest), which keeps both the SQL text and the JavaScript work per row small.
const BULK = 5000;

async function inBulk<T, R>(rows: T[], write: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += BULK) out.push(...(await write(rows.slice(i, i + BULK))));
  return out;
}

const iso = (date: Date) => date.toISOString();

export async function insertTermsBulk(trx: Db, rows: NewTermRow[]): Promise<{ id: string; name_norm: string }[]> {
  return inBulk(rows, async (chunk) => {
    const col = <K extends keyof NewTermRow>(key: K) => chunk.map((r) => r[key]);
    const result = await sql<{ id: string; name_norm: string }>`
      insert into glossary_terms (org_id, name, name_norm, name_key, name_compact, definition, notes, links, status, replaced_by_id, steward_person_id, version, words, search_text, created_at, updated_at)
      select org_id, name, name_norm, name_key, name_compact, definition, notes, links::jsonb, status, replaced_by_id, steward_person_id, version, words, search_text, created_at, updated_at
      from unnest(
        ${col('org_id')}::uuid[], ${col('name')}::text[], ${col('name_norm')}::text[], ${col('name_key')}::text[], ${col('name_compact')}::text[], ${col('definition')}::text[],
        ${col('notes')}::text[], ${col('links')}::text[], ${col('status')}::text[], ${col('replaced_by_id')}::uuid[], ${col('steward_person_id')}::uuid[],
        ${col('version')}::int[], ${col('words')}::text[], ${col('search_text')}::text[], ${chunk.map((r) => iso(r.created_at))}::timestamptz[], ${chunk.map((r) => iso(r.updated_at))}::timestamptz[]
      ) as u(org_id, name, name_norm, name_key, name_compact, definition, notes, links, status, replaced_by_id, steward_person_id, version, words, search_text, created_at, updated_at)
      returning id, name_norm
    `.execute(trx);
    return result.rows;
  });
}

export async function insertAliasesBulk(trx: Db, rows: AliasRow[]): Promise<void> {
  await inBulk(rows, async (chunk) => {
    const col = <K extends keyof AliasRow>(key: K) => chunk.map((r) => r[key]);
    await sql`
      insert into glossary_aliases (org_id, term_id, alias, alias_norm)
      select * from unnest(${col('org_id')}::uuid[], ${col('term_id')}::uuid[], ${col('alias')}::text[], ${col('alias_norm')}::text[])
    `.execute(trx);
    return [];
  });
}

export async function insertVersionsBulk(trx: Db, rows: VersionRow[]): Promise<void> {
  await inBulk(rows, async (chunk) => {
    const col = <K extends keyof VersionRow>(key: K) => chunk.map((r) => r[key]);
    await sql`
      insert into glossary_versions (org_id, term_id, version, name, definition, notes, links, aliases, status, replaced_by_id, steward_person_id, change,
        changed_by_person_id, changed_by_label, proposed_by_person_id, proposal_id, rolled_back_to, created_at)
      select org_id, term_id, version, name, definition, notes, links::jsonb, aliases::jsonb, status, replaced_by_id, steward_person_id, change,
        changed_by_person_id, changed_by_label, proposed_by_person_id, proposal_id, rolled_back_to, created_at
      from unnest(
        ${col('org_id')}::uuid[], ${col('term_id')}::uuid[], ${col('version')}::int[], ${col('name')}::text[], ${col('definition')}::text[], ${col('notes')}::text[],
        ${col('links')}::text[], ${col('aliases')}::text[], ${col('status')}::text[], ${col('replaced_by_id')}::uuid[], ${col('steward_person_id')}::uuid[], ${col('change')}::text[],
        ${col('changed_by_person_id')}::uuid[], ${col('changed_by_label')}::text[], ${col('proposed_by_person_id')}::uuid[], ${col('proposal_id')}::uuid[],
        ${col('rolled_back_to')}::int[], ${chunk.map((r) => iso(r.created_at))}::timestamptz[]
      ) as u(org_id, term_id, version, name, definition, notes, links, aliases, status, replaced_by_id, steward_person_id, change,
        changed_by_person_id, changed_by_label, proposed_by_person_id, proposal_id, rolled_back_to, created_at)
    `.execute(trx);
    return [];
  });
}

/**
 * After a large import (outside its transaction): vacuums the glossary's tables, which merges the
 * pending-list entries of their GIN indexes, marks the new rows visible to every reader and
 * refreshes the planner's statistics. Autovacuum would do all of it later, in the middle of the
 * first lookups after the import.
 */
export async function tidyAfterImport(db: Db): Promise<void> {
  await sql`vacuum (analyze) glossary_terms, glossary_aliases, glossary_words, glossary_versions`.execute(db);
}
