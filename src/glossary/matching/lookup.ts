// Finding a term from what someone typed, cheapest evidence first: exact names and aliases, then
// shared whole words (misspelt words corrected against the organisation's vocabulary), then names
// written without spaces, acronyms and definitions. One deterministic ranking decides between an
// answer and a few candidates. Deprecated terms lead on to their replacement.
import type { Db } from '../../db/database.js';
import { InvalidInput, NotFound } from '../../chat/errors.js';
import { characterKinds, decide, editSimilarity, prepareQuery, rankCandidates, SHOWN, WordSimilarities, type Decision, type PreparedQuery, type RankedTerm } from './ranking.js';
import { isNumber, normalise } from './normalise.js';
import * as repo from './lookup-repo.js';
import { findTerm as findTermRow, type TermRow } from '../repo/terms.js';
import type { TermCardRow } from '../repo/term-card.js';
import type { TermIndex } from './term-index.js';

/** The term a query confidently names. */
export interface FoundTerm {
  termId: string;
  name: string;
}

export type FindResult =
  | { kind: 'found'; term: FoundTerm }
  | { kind: 'candidates'; candidates: RankedTerm[] }
  | { kind: 'none' };

export function prepare(raw: string): PreparedQuery {
  const query = prepareQuery(raw);
  if (!query.norm) throw new InvalidInput('Type a term with at least one letter or digit, e.g. `glossary nps`.');
  return query;
}

/** Below this after the word pass, the last pass may find something better. */
const WORTH_A_LAST_PASS = 0.6;
/** How close a vocabulary word must be to count as what a misspelt word meant. */
const CORRECTION = 0.6;


/** Neighbouring words written together: "touch point" → "touchpoint" (which the vocabulary may know). */
function joinedPairs(tokens: string[]): string[] {
  return tokens.slice(0, 6).flatMap((token, i) => (i + 1 < tokens.length ? [`${token}${tokens[i + 1]}`] : []));
}

/** The shortest part of a word written together with another ("jilolovalue": "jilolo" + "value") that is looked for. */
const SPLIT_PART = 3;

/** Where a word may be read as two written together: each part SPLIT_PART long at least; a number never. */
function splitPoints(token: string): number[] {
  if (isNumber(token) || token.length < 2 * SPLIT_PART) return [];
  return Array.from({ length: token.length - 2 * SPLIT_PART + 1 }, (_, i) => SPLIT_PART + i);
}

/** Ways to read a word as two written together, as [first, second]: the SQL path asks the vocabulary about every part. */
function splits(token: string): [string, string][] {
  return splitPoints(token).map((at) => [token.slice(0, at), token.slice(at)]);
}

/** The first of `splits(token)` whose both parts the vocabulary knows (each second part cut only when its first is known). */
function knownSplit(token: string, knownWords: { has(word: string): boolean }): [string, string] | undefined {
  for (const at of splitPoints(token)) {
    const first = token.slice(0, at);
    if (!knownWords.has(first)) continue;
    const second = token.slice(at);
    if (knownWords.has(second)) return [first, second];
  }
  return undefined;
}

/**
 * The query's words as groups of alternatives (each word with the vocabulary words it may have meant;
 * itself only when it is a known word or a number), one more reading wherever two neighbouring words
 * are one word of the vocabulary written apart, and one wherever a word the vocabulary does not know
 * is two that it does, written together (a space left out: "jilolovalue ziwepa").
 */
export function wordReadings(tokens: string[], knownWords: { has(word: string): boolean }, nearWords: (token: string) => Iterable<readonly string[]>): string[][][] {
  const groups = tokens.map((token) => (knownWords.has(token) || isNumber(token) ? [token] : [token, ...corrections(token, nearWords(token))]));
  const readings = [groups];
  joinedPairs(tokens).forEach((word, i) => {
    if (knownWords.has(word)) readings.push([...groups.slice(0, i), [word], ...groups.slice(i + 2)]);
  });
  tokens.slice(0, 6).forEach((token, i) => {
    if (knownWords.has(token)) return;
    const split = knownSplit(token, knownWords);
    if (split) readings.push([...groups.slice(0, i), [split[0]], [split[1]], ...groups.slice(i + 1)]);
  });
  return readings;
}

/**
 * The vocabulary words a misspelt `token` may have meant, among those `near` it (lists of words of
 * its first letter and about its length): at least CORRECTION alike, the closest three, alphabetical
 * among equals. Most words near a token are not that close, so only those that are become objects.
 */
function corrections(token: string, near: Iterable<readonly string[]>): string[] {
  const close: { word: string; similarity: number }[] = [];
  const tokenKinds = characterKinds(token);
  for (const words of near) {
    for (const word of words) {
      const similarity = editSimilarity(token, word, CORRECTION, tokenKinds, characterKinds(word));
      if (similarity >= CORRECTION) close.push({ word, similarity });
    }
  }
  return close
    .sort((a, b) => b.similarity - a.similarity || a.word.localeCompare(b.word))
    .slice(0, 3)
    .map((c) => c.word);
}

/** The SQL path's near words (lookup-repo.ts), grouped by the token they are near. */
function nearByToken(near: { token: string; word: string }[]): (token: string) => Iterable<readonly string[]> {
  const byToken = new Map<string, string[]>();
  for (const { token, word } of near) {
    const words = byToken.get(token);
    if (words) words.push(word);
    else byToken.set(token, [word]);
  }
  return (token) => [byToken.get(token) ?? []];
}

/** A lookup's ranking, what a miss shows besides it, and the card of a term it read on the way. */
export interface Ranking {
  ranked: RankedTerm[];
  decision: Decision;
  /** The time zone and any pending proposal of the name; read whenever the answer is not confident. */
  miss?: repo.MissContext;
  /** The card of the best exact match, or else of the strongest shared-word match: likely the answer. */
  card?: TermCardRow;
}

export interface RankOptions {
  /** Rank every pass and offer up to ten terms (a search), instead of stopping at a clear answer. */
  alwaysFuzzy?: boolean;
  /** The organisation's current term index (src/glossary/matching/term-indexes.ts): match in memory. */
  index?: TermIndex;
  /**
   * What a miss shows, remembered per organisation, and the start of the definitions of terms held in
   * memory (src/glossary/term-cards.ts): with the index, a miss or a list of candidates needs no database.
   */
  missContexts?: {
    missContext(orgId: string, norm: string): Promise<repo.MissContext | undefined>;
    /** What lookupDetails reads as `summaries` (repo.summaryOf each definition); undefined unless every one is in memory. */
    summaries?(orgId: string, termIds: readonly string[]): Map<string, string> | undefined;
  };
}

/**
 * Ranks what the database (or the term index) offers, cheapest first, stopping as soon as the
 * answer is clear: exact names and aliases (most lookups end here); then terms sharing whole words,
 * misspelt words corrected against the organisation's vocabulary; then names written without
 * spaces, acronyms and definitions, only when nothing decent was found yet (or for a search).
 * From the database the two fuzzy passes come back from one statement; the last one's candidates
 * are simply left out when the shared words already gave a decent answer, so the answer does not
 * depend on how the statements are grouped.
 */
export async function rank(db: Db, orgId: string, query: PreparedQuery, options: RankOptions = {}): Promise<Ranking> {
  if (options.index) return rankInMemory(db, orgId, query, options.index, options.alwaysFuzzy ?? false, options.missContexts);
  const size = options.alwaysFuzzy ? 10 : 5;
  const similarities = new WordSimilarities(query);
  const first = await repo.exactMatches(db, orgId, query, lookupWords(query), lookupTokens(query));
  const context = { miss: { timeZone: first.timeZone, ...(first.pending ? { pending: first.pending } : {}) } };
  let candidates = first.candidates;
  let ranked = rankCandidates(query, candidates, similarities);
  let decision = decide(ranked, size);
  const card = first.card;
  if (decision.kind === 'confident' && !options.alwaysFuzzy) return { ranked, decision, ...context, ...(card ? { card } : {}) };
  const readings = wordReadings(query.tokens, first.knownWords, nearByToken(first.near));
  const fuzzy = await repo.fuzzyMatches(db, orgId, query, readings);
  const read = card ?? fuzzy.card;
  candidates = [...candidates, ...fuzzy.shared];
  ranked = rankCandidates(query, candidates, similarities);
  decision = decide(ranked, size);
  if (!needsLastPass(ranked, decision, options.alwaysFuzzy ?? false)) return { ranked, decision, ...context, ...(read ? { card: read } : {}) };
  candidates = [...candidates, ...fuzzy.similar];
  ranked = rankCandidates(query, candidates, similarities);
  return { ranked, decision: decide(ranked, size), ...context, ...(read ? { card: read } : {}) };
}

/**
 * The query's words, neighbouring words written together, and the parts of each word read as two:
 * the words the SQL path asks the vocabulary about (the term index is asked word by word instead).
 */
const lookupWords = (query: PreparedQuery) => [...new Set([...query.tokens, ...joinedPairs(query.tokens), ...query.tokens.slice(0, 6).flatMap(splits).flat()])];
/** The words that may need correcting (numbers never do). */
const lookupTokens = (query: PreparedQuery) => [...new Set(query.tokens)].filter((t) => !isNumber(t));

function needsLastPass(ranked: RankedTerm[], decision: Decision, alwaysFuzzy: boolean): boolean {
  return alwaysFuzzy || !(decision.kind === 'confident' || (ranked[0]?.score ?? 0) >= WORTH_A_LAST_PASS);
}

/**
 * The same passes and rules with names, aliases and words matched in memory: a confident answer
 * needs no database at all (its card is read next); so does a miss that shows no candidate when the
 * index knows the last pass finds nothing and what a miss shows is remembered. Anything else takes
 * one round trip, for the last pass if needed, the definitions of the terms shown and what a miss shows.
 */
async function rankInMemory(db: Db, orgId: string, query: PreparedQuery, index: TermIndex, alwaysFuzzy: boolean, missContexts: RankOptions['missContexts']): Promise<Ranking> {
  const size = alwaysFuzzy ? 10 : 5;
  const similarities = new WordSimilarities(query);
  let candidates = index.exactMatches(query);
  let ranked = rankCandidates(query, candidates, similarities);
  let decision = decide(ranked, size);
  if (decision.kind === 'confident' && !alwaysFuzzy) return { ranked, decision };
  // Only now what the vocabulary knows of the words: most lookups (a name, an alias) end above.
  // The index answers whether it knows a word as quickly as a set of the words it knows would.
  const readings = wordReadings(query.tokens, { has: (word) => index.knows(word) }, (token) => index.nearWords(token));
  candidates = [...candidates, ...index.sharedWordMatches(readings)];
  ranked = rankCandidates(query, candidates, similarities);
  decision = decide(ranked, size);
  const lastPass = needsLastPass(ranked, decision, alwaysFuzzy);
  if (decision.kind === 'confident' && !lastPass) return { ranked, decision };
  // Adding the last pass's terms can only push these down: the terms a reply shows are among them or come with their definition.
  const shown = ranked.filter((r) => r.score >= SHOWN).slice(0, size).map((r) => r.termId);
  const remembered = missContexts && (!lastPass || index.lastPassFindsNothing(query)) ? await rememberedDetails(missContexts, orgId, query.norm, shown) : undefined;
  if (remembered && shown.length === 0) return { ranked, decision, miss: missOf(remembered) };
  const details = remembered ?? (await repo.lookupDetails(db, orgId, query, { lastPass, summariesOf: shown }));
  // The last pass's terms (none when known from memory) join the candidates.
  if (lastPass && details.similar.length > 0) ranked = rankCandidates(query, [...candidates, ...details.similar], similarities);
  ranked = ranked.map((r) => (r.summary ? r : { ...r, summary: details.summaries.get(r.termId) ?? '' }));
  return { ranked, decision: decide(ranked, size), miss: missOf(details) };
}

type Details = Awaited<ReturnType<typeof repo.lookupDetails>>;

/**
 * What lookupDetails reads, when the last pass is known to find nothing and the rest is remembered
 * (what a miss shows, the definitions of the terms shown); undefined when any of it is not.
 */
async function rememberedDetails(missContexts: NonNullable<RankOptions['missContexts']>, orgId: string, norm: string, shown: string[]): Promise<Details | undefined> {
  const summaries = shown.length === 0 ? new Map<string, string>() : missContexts.summaries?.(orgId, shown);
  if (!summaries) return undefined;
  const miss = await missContexts.missContext(orgId, norm);
  return miss && { ...miss, similar: [], summaries };
}

const missOf = (context: repo.MissContext): repo.MissContext => ({ timeZone: context.timeZone, ...(context.pending ? { pending: context.pending } : {}) });

/** Follows "replaced by" from a deprecated term to the term in use now (at most a few hops, no loops). */
export async function followReplacements(db: Db, orgId: string, termId: string): Promise<{ termId: string; name: string; replaced: { id: string; name: string }[] }> {
  const replaced: { id: string; name: string }[] = [];
  let current = await findTermRow(db, orgId, termId);
  if (!current) throw new NotFound('That term no longer exists.');
  const seen = new Set([current.id]);
  while (current.status === 'deprecated' && current.replaced_by_id && !seen.has(current.replaced_by_id) && replaced.length < 10) {
    const next: TermRow | undefined = await findTermRow(db, orgId, current.replaced_by_id);
    if (!next) break;
    replaced.push({ id: current.id, name: current.name });
    seen.add(next.id);
    current = next;
  }
  return { termId: current.id, name: current.name, replaced };
}

export async function findTerm(db: Db, orgId: string, raw: string): Promise<FindResult> {
  const { decision } = await rank(db, orgId, prepare(raw));
  if (decision.kind !== 'confident') return decision;
  return { kind: 'found', term: { termId: decision.term.termId, name: decision.term.name } };
}

/** The term a command names (`history nps`, `alias x = nps`): an exact or confident match, or a helpful refusal. */
export async function termNamed(db: Db, orgId: string, raw: string): Promise<FoundTerm> {
  const result = await findTerm(db, orgId, raw);
  if (result.kind === 'found') return result.term;
  const suggestions = result.kind === 'candidates' ? result.candidates.slice(0, 3).map((c) => `“${c.name}”`) : [];
  throw new NotFound(
    `There is no term “${raw.trim()}” in the glossary.${suggestions.length ? ` Did you mean ${suggestions.join(', ')}?` : ''} Nothing was changed.`,
  );
}

/** What the lookup log keeps of a query: its first 200 characters, and its normalised form. */
export function loggedQuery(raw: string): { query: string; queryNorm: string } {
  return { query: raw.trim().slice(0, 200), queryNorm: normalise(raw) };
}
