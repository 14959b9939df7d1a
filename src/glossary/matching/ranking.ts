// Deterministic ranking of lookup candidates, and the confidence rule that decides between answering
// with one term and offering a few. Pure functions: the database only gathers candidates.
import { compact, keyTokens, matchKey, matchTokens, normalise, SPACE } from './normalise.js';
import type { TermStatus } from '../tables.js';

/** At or above this, with a clear lead over the next term, Steward answers with the term. */
export const CONFIDENT = 0.82;
/** The lead a confident answer needs over the next term. */
export const MARGIN = 0.06;
/** Exact, word-order-free or spacing-free equality: answered even without a lead. */
export const EXACT = 0.96;
/** Below this a candidate is not worth showing. */
export const SHOWN = 0.4;
/** What a match in the definition or notes alone is worth: a candidate, never an answer. */
export const TEXT_MATCH = 0.45;

export interface PreparedQuery {
  norm: string;
  key: string;
  compact: string;
  tokens: string[];
}

export function prepareQuery(raw: string): PreparedQuery {
  const norm = normalise(raw);
  return { norm, key: matchKey(norm), compact: compact(norm), tokens: matchTokens(norm) };
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. With
 * `max`, a distance beyond it is returned as `max + 1` (callers only ask whether a pair is within
 * reach). Ranking runs this for every name and alias a lookup scores, so the usual case (the
 * shorter string at most 32 characters, each below U+0100) goes a whole column at a time as bits.
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  // The difference in length is a lower bound.
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  const shorter = a.length <= b.length ? a : b;
  const longer = shorter === a ? b : a;
  const distance = shorter.length <= 32 && fitsOneByte(shorter) ? columnsAsBits(shorter, longer) : editDistanceTable(a, b, max);
  return distance > max ? max + 1 : distance;
}

const fitsOneByte = (text: string) => {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
};

/** Per character, the positions of the pattern where it stands (as bits); cleared after each use. */
const positions = new Int32Array(256);

/**
 * The optimal string alignment distance with the table's columns held as bits, one per character of
 * `pattern` (Myers' bit-vector algorithm as Hyyrö extended it to adjacent swaps): each character of
 * `text` updates the whole column in a few integer operations. Information only moves towards higher
 * bits (shifts left, carries), so the bits above the pattern's length never disturb those below.
 */
function columnsAsBits(pattern: string, text: string): number {
  const m = pattern.length;
  for (let i = 0; i < m; i++) positions[pattern.charCodeAt(i)]! |= 1 << i;
  const lastRow = 1 << (m - 1);
  // Vertical differences between neighbouring cells of a column: +1 (vp) or −1 (vn), else 0.
  let vp = -1;
  let vn = 0;
  let d0 = 0;
  let previousMatches = 0;
  let distance = m;
  for (let j = 0; j < text.length; j++) {
    const code = text.charCodeAt(j);
    const matches = code <= 0xff ? positions[code]! : 0;
    // A swap: this character matches the pattern one place further than the last one did.
    const swapped = ((~d0 & matches) << 1) & previousMatches;
    d0 = (((matches & vp) + vp) ^ vp) | matches | vn | swapped;
    let hp = vn | ~(d0 | vp);
    const hn = d0 & vp;
    if (hp & lastRow) distance++;
    if (hn & lastRow) distance--;
    hp = (hp << 1) | 1;
    vp = (hn << 1) | ~(d0 | hp);
    vn = hp & d0;
    previousMatches = matches;
  }
  for (let i = 0; i < m; i++) positions[pattern.charCodeAt(i)] = 0;
  return distance;
}

// Three rows of the distance table, reused by every call.
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * The same distance from the whole table, a row at a time, for longer strings and other characters
 * (and, in the tests, as the reference for the bits). The work stops as soon as the distance is
 * known to exceed `max`, returning `max + 1`.
 */
export function editDistanceTable(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  if (rows[0]!.length <= b.length) rows = [new Int32Array(b.length + 1), new Int32Array(b.length + 1), new Int32Array(b.length + 1)];
  let before = rows[0]!;
  let previous = rows[1]!;
  let current = rows[2]!;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  // Whether the row before `previous` was all beyond `max` (row 0 never is: it starts at 0).
  let beyondBefore = false;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const bj = b.charCodeAt(j - 1);
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
      if (best < rowMin) rowMin = best;
    }
    // A cell comes from the row above, the one before it (a swap), or the row itself: once two rows
    // in a row are all beyond `max`, every later one is too.
    const beyond = rowMin > max;
    if (beyond && beyondBefore) return max + 1;
    beyondBefore = beyond;
    const used = before;
    before = previous;
    previous = current;
    current = used;
  }
  const distance = previous[b.length]!;
  return distance > max ? max + 1 : distance;
}

/**
 * 1 for equal strings, falling with each edit relative to the longer one. With `atLeast`, a
 * similarity below it is not worked out: 0 is returned instead (callers only ask whether it reaches).
 * With both strings' `characterKinds`, a pair whose kinds alone need more edits than `atLeast`
 * allows is ruled out before any distance is worked out (most words a lookup compares are).
 */
export function editSimilarity(a: string, b: string, atLeast = 0, kindsOfA?: number, kindsOfB?: number): number {
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  if (atLeast <= 0) return 1 - editDistance(a, b) / longest;
  const max = maxDistance(longest, atLeast);
  if (kindsOfA !== undefined && kindsOfB !== undefined && editsAtLeast(kindsOfA, kindsOfB) > max) return 0;
  const distance = editDistance(a, b, max);
  const similarity = 1 - distance / longest;
  return similarity >= atLeast ? similarity : 0;
}

/**
 * The kinds of character in a text as bits (the lowest five bits of each code: a–z apart, digits
 * sharing bits with letters), for editsAtLeast.
 */
export function characterKinds(text: string): number {
  let kinds = 0;
  for (let i = 0; i < text.length; i++) kinds |= 1 << (text.charCodeAt(i) & 31);
  return kinds;
}

/**
 * A lower bound of the edit distance of two texts, from their characterKinds: an edit takes at most
 * one kind away from those one text has and the other lacks (a swap none), so at least as many
 * edits as there are such kinds on either side are needed. Kinds sharing a bit only weaken the bound.
 */
export function editsAtLeast(a: number, b: number): number {
  return Math.max(bitCount(a & ~b), bitCount(b & ~a));
}

function bitCount(bits: number): number {
  let n = bits - ((bits >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (Math.imul((n + (n >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** The largest distance whose similarity (1 − d / longest) still reaches `atLeast`, computed as that expression is. */
function maxDistance(longest: number, atLeast: number): number {
  let d = Math.floor((1 - atLeast) * longest);
  while (d + 1 <= longest && 1 - (d + 1) / longest >= atLeast) d++;
  while (d > 0 && 1 - d / longest < atLeast) d--;
  return d;
}

/** Below this a word is no match at all. */
const WORD_MATCH = 0.6;

/**
 * The words of a query of several words that match no word of a term (its name's and aliases', or
 * two neighbouring ones written together: "selfservce rate"). A query with such a word says
 * something the term does not ("customer satisfaction survey", "onboarding survey"): however close
 * the whole text, the term is then a candidate, never the answer.
 */
export function wordsNotInTerm(query: PreparedQuery, termWords: string[], similarities = new WordSimilarities(query)): string[] {
  if (query.tokens.length < 2) return [];
  const words = [...termWords, ...termWords.slice(1).map((word, i) => `${termWords[i]}${word}`)];
  return query.tokens.filter((_, t) => !words.some((word) => similarities.of(t, word) > 0));
}

/**
 * The similarity of each query word to each word it meets, worked out once per ranking: the
 * candidates of one lookup (a term's name and its aliases, terms sharing words) meet the same
 * words again and again.
 */
export class WordSimilarities {
  private readonly byWord = new Map<string, number[]>();
  /** The score of each name or alias ranked so far (scoreText): a lookup's later passes rank the earlier ones' candidates again. */
  readonly scores = new Map<string, number>();
  /** The characterKinds of each query word. */
  private readonly tokenKinds: number[];

  constructor(private readonly query: PreparedQuery) {
    this.tokenKinds = query.tokens.map(characterKinds);
  }

  /** wordSimilarity of query word number `token` and `word`. */
  of(token: number, word: string): number {
    return this.at(this.row(word), token, word);
  }

  /**
   * The similarities of `word` to each query word worked out so far (-1: not yet), and after them
   * the word's characterKinds; look the word up once, ask `at` for each query word.
   */
  row(word: string): number[] {
    let known = this.byWord.get(word);
    if (!known) {
      const tokens = this.query.tokens.length;
      known = new Array<number>(tokens + 1).fill(-1);
      known[tokens] = characterKinds(word);
      this.byWord.set(word, known);
    }
    return known;
  }

  /** wordSimilarity of query word number `token` and `word`, whose row is `row`. */
  at(row: number[], token: number, word: string): number {
    if (row[token]! < 0) row[token] = wordSimilarity(this.query.tokens[token]!, word, this.tokenKinds[token]!, row[this.query.tokens.length]!);
    return row[token]!;
  }
}

function wordSimilarity(queryWord: string, candidateWord: string, queryKinds: number, candidateKinds: number): number {
  if (queryWord === candidateWord) return 1;
  // A clear beginning of a longer word ("conv" for "conversion") counts, but less than the word.
  const prefix = queryWord.length >= 4 && candidateWord.startsWith(queryWord) ? 0.85 : 0;
  // Below WORD_MATCH the distance is not worked out (a length difference or the kinds of character
  // alone can rule a pair out).
  const similarity = Math.max(editSimilarity(queryWord, candidateWord, WORD_MATCH, queryKinds, candidateKinds), prefix);
  return similarity >= WORD_MATCH ? similarity : 0;
}

let bestForQuery = new Float64Array(16);

/**
 * How well a query matches one name or alias, from 0 to 1: equality first, then the better of a
 * whole-string edit similarity (typos, swapped or missing letters) and a word-by-word match that
 * ignores word order and rewards covering the candidate's words.
 */
export function scoreText(query: PreparedQuery, candidateNorm: string, similarities = new WordSimilarities(query)): number {
  if (query.norm === candidateNorm) return 1;
  const keyWords = keyTokens(candidateNorm);
  if (joinedEquals(keyWords, query.key)) return 0.97;
  const candidateCompact = compact(candidateNorm);
  if (query.compact === candidateCompact) return EXACT;

  // The key's words (an empty key is one empty word, as splitting it gives).
  const candidateTokens = keyWords.length ? keyWords : [''];
  // Each pair of words once: the best match of every query word, and of every candidate word (in
  // scratch space reused by every call: this runs for every name and alias a lookup ranks). Each
  // candidate word is looked up once among the words met before.
  const queryTokens = query.tokens.length;
  if (bestForQuery.length < queryTokens) bestForQuery = new Float64Array(queryTokens);
  bestForQuery.fill(0, 0, queryTokens);
  let candidateSum = 0;
  for (let j = 0; j < candidateTokens.length; j++) {
    const word = candidateTokens[j]!;
    const row = similarities.row(word);
    let best = 0;
    for (let q = 0; q < queryTokens; q++) {
      const similarity = similarities.at(row, q, word);
      if (similarity > best) best = similarity;
      if (similarity > bestForQuery[q]!) bestForQuery[q] = similarity;
    }
    candidateSum += best;
  }
  let queryCovered = 0;
  for (let q = 0; q < queryTokens; q++) queryCovered += bestForQuery[q]!;
  queryCovered /= Math.max(1, query.tokens.length);
  const candidateCovered = candidateSum / Math.max(1, candidateTokens.length);
  const words = queryCovered * (0.6 + 0.4 * candidateCovered);
  // The whole text matters only where it beats the words and is worth showing (SHOWN).
  const whole = editSimilarity(query.compact, candidateCompact, Math.max(SHOWN, words));
  // Never let a fuzzy score pass for equality.
  return Math.min(0.95, Math.max(whole, words));
}

/** Whether `words` joined by single spaces would be `text` (without joining them: most are not). */
function joinedEquals(words: string[], text: string): boolean {
  if (words.length === 0) return text === '';
  let length = words.length - 1;
  for (const word of words) length += word.length;
  if (length !== text.length) return false;
  let at = 0;
  for (const word of words) {
    if (!text.startsWith(word, at)) return false;
    at += word.length;
    if (at < text.length && text.charCodeAt(at) !== SPACE) return false;
    at++;
  }
  return true;
}

export interface Candidate {
  termId: string;
  name: string;
  status: TermStatus;
  /** The normalised name or alias that matched, or the definition for a full-text match. */
  text: string;
  kind: 'name' | 'alias' | 'text';
  /** Full-text rank, for ordering definition-only matches among themselves. */
  textRank?: number;
  /** The start of the term's definition, shown when the term is offered as a candidate. */
  summary: string;
  /** The term's words, those of its name and aliases (glossary_terms.words); without them, the text's own. */
  words?: string;
}

export interface RankedTerm {
  termId: string;
  name: string;
  status: TermStatus;
  score: number;
  /** Which name or alias scored best (for "matched alias X"). */
  matched: string;
  kind: Candidate['kind'];
  textRank: number;
  summary: string;
  /**
   * Whether every word of the query matches a word of the term (see wordsNotInTerm); needed for a
   * confident fuzzy answer, so worked out only for a score that could be one (CONFIDENT): false below.
   */
  allWordsMatch: boolean;
}

const STATUS_ORDER: Record<TermStatus, number> = { approved: 0, proposed: 1, deprecated: 2 };

/** Names in English order: what `a.localeCompare(b, 'en')` gives, with the collator made once instead of on every comparison. */
const byName = new Intl.Collator('en');

/**
 * One entry per term, best first; ties go to approved terms, then alphabetical, so order never
 * wobbles. The passes of one lookup give the same `similarities`, so no text is scored twice.
 */
export function rankCandidates(query: PreparedQuery, candidates: Candidate[], similarities = new WordSimilarities(query)): RankedTerm[] {
  const byTerm = new Map<string, RankedTerm>();
  for (const candidate of candidates) {
    let score = candidate.kind === 'text' ? TEXT_MATCH : similarities.scores.get(candidate.text);
    if (score === undefined) {
      score = scoreText(query, candidate.text, similarities);
      similarities.scores.set(candidate.text, score);
    }
    const rank = candidate.textRank ?? 0;
    const known = byTerm.get(candidate.termId);
    if (!known || score > known.score || (score === known.score && rank > known.textRank)) {
      byTerm.set(candidate.termId, {
        termId: candidate.termId,
        name: candidate.name,
        status: candidate.status,
        score,
        matched: candidate.text,
        kind: candidate.kind,
        textRank: rank,
        summary: candidate.summary,
        allWordsMatch: score >= CONFIDENT && wordsNotInTerm(query, candidate.words?.split(' ') ?? matchTokens(candidate.text), similarities).length === 0,
      });
    }
  }
  return [...byTerm.values()].sort(
    (a, b) =>
      b.score - a.score ||
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      b.textRank - a.textRank ||
      byName.compare(a.name, b.name) ||
      (a.termId < b.termId ? -1 : a.termId > b.termId ? 1 : 0),
  );
}

export type Decision =
  | { kind: 'confident'; term: RankedTerm; others: RankedTerm[] }
  | { kind: 'candidates'; candidates: RankedTerm[] }
  | { kind: 'none' };

/**
 * Answer with the top term only when it is good enough and clearly ahead of the next one, and, short
 * of equality, when the query says nothing the term does not.
 */
export function decide(ranked: RankedTerm[], maxCandidates = 5): Decision {
  const shown = ranked.filter((r) => r.score >= SHOWN);
  const [top, second] = shown;
  if (!top) return { kind: 'none' };
  const clearLead = !second || top.score - second.score >= MARGIN;
  if (top.score >= EXACT && (!second || second.score < top.score)) return { kind: 'confident', term: top, others: shown.slice(1, maxCandidates) };
  if (top.score >= CONFIDENT && clearLead && top.allWordsMatch) return { kind: 'confident', term: top, others: shown.slice(1, maxCandidates) };
  return { kind: 'candidates', candidates: shown.slice(0, maxCandidates) };
}
