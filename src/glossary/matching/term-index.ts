// An organisation's names, aliases and words in memory: the matching half of a lookup (exact names
// and aliases, the vocabulary that corrects misspelt words, terms sharing words with the query)
// without a database round trip. The database still gives what a card shows and the last pass
// (names written without spaces, acronym typos, definitions) when the index cannot tell that it
// finds nothing (lastPassFindsNothing). Built from the same columns the SQL
// lookup reads (src/glossary/matching/lookup-repo.ts), with the same rules, so both offer the same candidates;
// src/glossary/matching/term-indexes.ts decides when an index is current.
import type { Db } from '../../db/database.js';
import { readingRule, searchTextWords, termIndexAliases, termIndexPage, type IndexAliasRow as AliasRow, type IndexTermRow as TermRow } from './lookup-repo.js';
import { compact, isNumber, SPACE } from './normalise.js';
import type { Candidate, PreparedQuery } from './ranking.js';
import type { TermStatus } from '../tables.js';

interface IndexedTerm {
  id: string;
  name: string;
  norm: string;
  status: TermStatus;
  aliases: string[];
  /** The term's words, those of its name and aliases (its `words` column): what the confidence rule compares with the query's. */
  words: string;
}

/** One term or several: most names, keys and aliases belong to one term, and a bare number costs far less memory than an array. */
type Terms = number | number[];

export class TermIndex {
  /** In id order (as load reads them), so a position compares as the SQL's `order by id`. */
  private readonly terms: IndexedTerm[] = [];
  private readonly byNorm = new Map<string, Terms>();
  private readonly byKey = new Map<string, Terms>();
  private readonly byAlias = new Map<string, Terms>();
  /** Word → the terms (ascending) whose name or an alias has it; numbers included, as in words_tsv. */
  private readonly postings = new Map<string, Terms>();
  /** The vocabulary (words, not numbers) by first letter and length, for corrections. */
  private readonly shapes = new Map<string, string[]>();
  /**
   * Per term, while a reading is counted: the last group that counted the term (plus one, bits 4–7)
   * and how many groups did (bits 0–3); 0 between readings. A byte a term, so that the array (100 KB
   * for 100,000 terms) stays in the processor's cache: the counting is one access per posting.
   */
  private counting = new Uint8Array(0);
  /** Per term, the most groups it matched in any reading of this lookup (0 between lookups). */
  private bestGroups = new Uint8Array(0);
  /** The terms that matched enough groups of a reading so far (its first entries; reused, as the arrays above). */
  private qualifiedTerms = new Int32Array(0);
  /** Per term, the length of its words (the shorter first among equals): read for every term a lookup counts. */
  private wordsLength = new Uint32Array(0);
  /**
   * The terms by their name written without spaces (name_compact), for the last pass's names that
   * begin with a query. The compact names themselves are not kept (that would be as many strings
   * again as terms): the search compares the names as if written without spaces (compareCompact).
   */
  private byCompactName = new Int32Array(0);
  /** Of aliases of at most six characters, `f<length> <first character>` and `l<length> <last character>`: the last pass's acronym typos. */
  private readonly shortAliasShapes = new Set<string>();
  /** Every word Postgres's full-text search finds in the terms' search_text (its lexemes), read with the index. */
  private textWords: ReadonlySet<string> = new Set();

  /**
   * Reads an organisation's terms with their aliases a page at a time and indexes each page before
   * reading the next, letting the event loop answer requests in between; only a page of rows is in
   * memory besides the index. 100,000 terms take about a second. A change made meanwhile does not
   * matter: its notice makes src/glossary/matching/term-indexes.ts drop this index.
   */
  static async load(db: Db, orgId: string): Promise<TermIndex> {
    const index = new TermIndex();
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const terms = await termIndexPage(db, orgId, after, PAGE);
      const ids = terms.rows.map((t) => t.id);
      const aliases = ids.length ? await termIndexAliases(db, ids) : { rows: [] };
      index.add(terms.rows, aliases.rows);
      if (terms.rows.length < PAGE) break;
      after = ids[ids.length - 1]!;
      await yieldToEventLoop();
    }
    index.textWords = await searchTextWords(db, orgId);
    index.finish();
    return index;
  }

  /** Adds terms and their aliases (aliases of other terms are left out). */
  private add(terms: TermRow[], aliases: AliasRow[]): void {
    const position = new Map<string, number>();
    for (const t of terms) {
      const i = this.terms.length;
      position.set(t.id, i);
      this.terms.push({ id: t.id, name: t.name, norm: t.name_norm, status: t.status, aliases: [], words: t.words });
      add(this.byNorm, t.name_norm, i);
      add(this.byKey, t.name_key, i);
      // The column holds each word once (publish.ts termWords).
      for (const word of t.words.split(' ')) if (word) add(this.postings, word, i);
    }
    for (const a of aliases) {
      const i = position.get(a.term_id);
      if (i === undefined) continue;
      this.terms[i]!.aliases.push(a.alias_norm);
      add(this.byAlias, a.alias_norm, i);
      const points = Array.from(a.alias_norm);
      if (points.length <= 6) this.shortAliasShapes.add(`f${points.length} ${points[0]}`).add(`l${points.length} ${points[points.length - 1]}`);
    }
  }

  private finish(): void {
    for (const word of this.postings.keys()) {
      if (isNumber(word)) continue;
      const key = shape(word);
      const list = this.shapes.get(key);
      if (list) list.push(word);
      else this.shapes.set(key, [word]);
    }
    this.counting = new Uint8Array(this.terms.length);
    this.bestGroups = new Uint8Array(this.terms.length);
    this.qualifiedTerms = new Int32Array(this.terms.length);
    this.wordsLength = Uint32Array.from(this.terms, (t) => t.words.length);
    const compactNames = this.terms.map((t) => compact(t.norm));
    this.byCompactName = Int32Array.from(compactNames.keys()).sort((a, b) => (compactNames[a]! < compactNames[b]! ? -1 : compactNames[a]! > compactNames[b]! ? 1 : 0));
  }

  get size(): number {
    return this.terms.length;
  }

  /** Names equal to the query (also with word order and plurals ignored), and aliases equal to it. */
  exactMatches(query: PreparedQuery): Candidate[] {
    const candidates: Candidate[] = [];
    // Names by norm, then those by key not among them (each term once); most queries find one or none.
    const byNorm = each(this.byNorm.get(query.norm));
    for (const i of byNorm) candidates.push(this.candidate(i, this.terms[i]!.norm, 'name'));
    for (const i of each(this.byKey.get(query.key))) if (!byNorm.includes(i)) candidates.push(this.candidate(i, this.terms[i]!.norm, 'name'));
    for (const i of each(this.byAlias.get(query.norm))) candidates.push(this.candidate(i, query.norm, 'alias'));
    return candidates;
  }

  /**
   * The known words of the same first letter as `token` and about its length, as the index keeps
   * them (a list per length, not copied): the ranking's edit distance decides which it may have
   * meant. Asked only for a word the index does not know, when the exact matches do not answer.
   */
  nearWords(token: string): (readonly string[])[] {
    const near: (readonly string[])[] = [];
    for (let length = token.length - 2; length <= token.length + 2; length++) {
      const words = this.shapes.get(`${token[0]}${length}`);
      if (words) near.push(words);
    }
    return near;
  }

  /**
   * Whether the last pass (lookup-repo.ts lastPass) is sure to find nothing for the query, known
   * without asking the database: no name begins with the query written without spaces, no short
   * alias has its length and first or last character, and a word of the query is in no term's
   * search text (the full-text search wants them all). Most queries that match no term are misses
   * of all three, and are answered without a round trip. A word that Postgres's parser might read
   * differently from a plain word or number is not trusted: the database decides then.
   */
  lastPassFindsNothing(query: PreparedQuery): boolean {
    const { compact: text, tokens } = query;
    if (text.length >= 4 && this.someNameBegins(text)) return false;
    if (text.length <= 5) {
      const points = Array.from(text);
      for (let length = Math.max(1, text.length - 1); length <= Math.min(6, text.length + 1); length++) {
        if (this.shortAliasShapes.has(`f${length} ${points[0]}`) || this.shortAliasShapes.has(`l${length} ${points[points.length - 1]}`)) return false;
      }
    }
    return tokens.every((token) => PLAIN_WORD.test(token)) && tokens.some((token) => !this.textWords.has(token));
  }

  /** Whether a name written without spaces begins with `prefix` (those that do are together in byCompactName). */
  private someNameBegins(prefix: string): boolean {
    const order = this.byCompactName;
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareCompact(this.terms[order[middle]!]!.norm, prefix) === -1) low = middle + 1;
      else high = middle;
    }
    if (low === order.length) return false;
    const first = compareCompact(this.terms[order[low]!]!.norm, prefix);
    return first === 0 || first === 'begins';
  }

  /** Whether a term's name or alias has the word (numbers are never known words: they need no correcting). */
  knows(word: string): boolean {
    return this.postings.has(word) && !isNumber(word);
  }

  /**
   * Terms sharing words with the query, as repo.sharedWordsQuery reads it: every group of
   * alternatives of a one- or two-word reading, all groups but one of a longer one; only when none
   * does, any group of a short reading. Those matching most groups first (repo.groupsMatched counts
   * them the same way), then the shortest words, then by id; each with its name and aliases.
   */
  sharedWordMatches(readings: string[][][], limit = 12): Candidate[] {
    // What may be thousands of terms (a common word alone) is counted in typed arrays kept between
    // lookups, and only the best `limit` become objects.
    const found: number[] = [];
    this.matching(readings, false, found);
    if (found.length === 0) this.matching(readings, true, found);
    const groups = this.bestGroups;
    const wordsLength = this.wordsLength;
    const before = (a: number, b: number) => groups[b]! - groups[a]! || wordsLength[a]! - wordsLength[b]! || a - b;
    const best: number[] = [];
    for (const term of found) {
      if (best.length === limit && before(term, best[limit - 1]!) >= 0) continue;
      let at = best.length === limit ? limit - 1 : best.length;
      while (at > 0 && before(term, best[at - 1]!) < 0) at--;
      best.splice(at, 0, term);
      if (best.length > limit) best.pop();
    }
    for (const term of found) groups[term] = 0;
    const candidates: Candidate[] = [];
    for (const term of best) {
      const t = this.terms[term]!;
      candidates.push(this.candidate(term, t.norm, 'name'));
      for (const alias of t.aliases) candidates.push(this.candidate(term, alias, 'alias'));
    }
    return candidates;
  }

  /**
   * Counts, per reading, the groups each term matches; a term matching enough of them gets the most
   * groups of any reading in bestGroups, and is added to `found` the first time.
   */
  private matching(readings: string[][][], loose: boolean, found: number[]): void {
    for (const reading of readings) {
      const rule = readingRule(reading, loose);
      if (!rule) continue;
      const { groups, needed } = rule;
      // A common word touches thousands of terms: each is counted in one byte of `counting` (one
      // memory access per posting: that, not arithmetic, is what this costs), and only the few that
      // reach `needed` are listed, as they reach it.
      const { counting, qualifiedTerms } = this;
      // A term none of the first `groups - needed + 1` groups has can match `needed` no more: later
      // groups count only the terms met already. Smallest groups first, so that fewer are met.
      const sizes = groups.map((words) => words.reduce((sum, word) => sum + count(this.postings.get(word)), 0));
      const order = groups.map((_, g) => g).sort((a, b) => sizes[a]! - sizes[b]!);
      const adding = groups.length - needed + 1;
      let qualified = 0;
      for (let k = 0; k < order.length; k++) {
        const g = order[k]!;
        const group = (g + 1) << 4;
        const mayAdd = k < adding;
        for (const word of groups[g]!) {
          for (const i of each(this.postings.get(word))) {
            const state = counting[i]!;
            if (state === 0) {
              if (!mayAdd) continue;
              counting[i] = group | 1;
              if (needed === 1) qualifiedTerms[qualified++] = i;
            } else if ((state & 0xf0) !== group) {
              // The first of this group's words the term has; another of them counts no more.
              const groupsMatched = (state & 0xf) + 1;
              counting[i] = group | groupsMatched;
              if (groupsMatched === needed) qualifiedTerms[qualified++] = i;
            }
          }
        }
      }
      for (let q = 0; q < qualified; q++) {
        const i = qualifiedTerms[q]!;
        const groupsMatched = counting[i]! & 0xf;
        if (groupsMatched > this.bestGroups[i]!) {
          if (this.bestGroups[i] === 0) found.push(i);
          this.bestGroups[i] = groupsMatched;
        }
      }
      // Only the adding groups' terms were counted: their bytes go back to 0 (now in the cache) for the next reading.
      for (let k = 0; k < adding; k++) for (const word of groups[order[k]!]!) for (const i of each(this.postings.get(word))) counting[i] = 0;
    }
  }

  private candidate(i: number, text: string, kind: 'name' | 'alias'): Candidate {
    const t = this.terms[i]!;
    // The definition's start is read from the database only for the terms a reply shows.
    return { termId: t.id, name: t.name, status: t.status, text, kind, summary: '', words: t.words };
  }
}

/** Terms read and indexed between two turns of the event loop. */
const PAGE = 5_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function add(map: Map<string, Terms>, key: string, term: number): void {
  const known = map.get(key);
  if (known === undefined) map.set(key, term);
  else if (typeof known === 'number') map.set(key, [known, term]);
  else known.push(term);
}

const NONE: number[] = [];

const count = (terms: Terms | undefined): number => (terms === undefined ? 0 : typeof terms === 'number' ? 1 : terms.length);

function each(terms: Terms | undefined): readonly number[] {
  return terms === undefined ? NONE : typeof terms === 'number' ? [terms] : terms;
}

/** A word Postgres's text search parser reads as itself: letters a–z alone, or digits alone. */
const PLAIN_WORD = /^(?:[a-z]{1,200}|[0-9]{1,200})$/;

/**
 * How `norm` written without spaces (compact) compares with `text`, as `<` compares strings (−1, 0
 * or 1), or `'begins'` when it is longer and begins with `text`: without writing it out, as the
 * binary search of someNameBegins compares a dozen names a lookup.
 */
function compareCompact(norm: string, text: string): -1 | 0 | 1 | 'begins' {
  let i = 0;
  for (let j = 0; ; j++, i++) {
    while (i < norm.length && norm.charCodeAt(i) === SPACE) i++;
    if (j === text.length) return i === norm.length ? 0 : 'begins';
    if (i === norm.length) return -1;
    const a = norm.charCodeAt(i);
    const b = text.charCodeAt(j);
    if (a !== b) return a < b ? -1 : 1;
  }
}

const shape = (word: string) => `${word[0]}${word.length}`;
