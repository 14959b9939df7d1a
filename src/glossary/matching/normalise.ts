// How glossary text is compared. Case, accents, punctuation and spacing are folded away here, in
// TypeScript, because the embedded database has no unaccent; the results are stored beside the
// original text (name_norm, alias_norm, …) so SQL compares like with like.

/** Letters that NFKD does not split into a base letter and an accent. */
const FOLDED: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

// Names, aliases and queries repeat (an import normalises each several times, people look up the
// same terms): short texts are remembered, up to a bound.
const remembered = new Map<string, string>();
const REMEMBER_UP_TO = 200;
const REMEMBER_AT_MOST = 50_000;

/** Lower case, no accents, words separated by single spaces: `Net-Promoter  Scóre!` → `net promoter score`. */
export function normalise(value: string): string {
  const known = remembered.get(value);
  if (known !== undefined) return known;
  const norm = fold(value);
  if (value.length <= REMEMBER_UP_TO) {
    if (remembered.size >= REMEMBER_AT_MOST) remembered.clear();
    remembered.set(value, norm);
  }
  return norm;
}

/** Printable ASCII only: what most names and queries are. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function fold(value: string): string {
  // Within printable ASCII, decomposition and the accent and letter folds change nothing and a
  // letter or digit is a-z or 0-9 once lower case: the same result, with cheaper expressions.
  if (PRINTABLE_ASCII.test(value)) return value.toLowerCase().replace(/['`]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
  return foldUnicode(value);
}

/** fold for any text (exported for the test that compares both ways on ASCII). */
export function foldUnicode(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => FOLDED[c] ?? c)
    // An apostrophe joins rather than separates: customer's → customers.
    .replace(/['’‘`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Words that say nothing about which term is meant (English and Dutch). */
const STOPWORDS = new Set(['a', 'an', 'and', 'of', 'or', 'the', 'to', 'for', 'in', 'on', 'de', 'het', 'een', 'en', 'van', 'voor']);

/** A crude English singular, enough to make "touchpoints" meet "touchpoint". */
export function singular(word: string): string {
  // Every rule below is about a word ending in "s": any other word is its own singular.
  if (word.length <= 3 || word.charCodeAt(word.length - 1) !== S) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  return word.slice(0, -1);
}

const S = 's'.charCodeAt(0);

// matchTokens and matchKey run for every name and alias a lookup ranks: they build no array they
// do not return, and look a word up among the stop words only when it is as short as one.

const LONGEST_STOPWORD = Math.max(...[...STOPWORDS].map((word) => word.length));
const isStopword = (word: string) => word.length <= LONGEST_STOPWORD && STOPWORDS.has(word);

/** The words of a normalised text, singular, without stop words (unless that would leave none). */
export function matchTokens(norm: string): string[] {
  const words: string[] = [];
  let stopwords = 0;
  for (let start = 0; start < norm.length; ) {
    let end = norm.indexOf(' ', start);
    if (end < 0) end = norm.length;
    if (end > start) {
      const word = singular(norm.slice(start, end));
      words.push(word);
      if (isStopword(word)) stopwords++;
    }
    start = end + 1;
  }
  return stopwords === 0 || stopwords === words.length ? words : words.filter((w) => !isStopword(w));
}

/** Word order and plurals do not matter: `score promoters net` and `Net Promoter Score` share a key. */
export function matchKey(norm: string): string {
  return keyTokens(norm).join(' ');
}

/** The words of the text's match key, in its order: what splitting matchKey's result gives, without joining and splitting again. */
export function keyTokens(norm: string): string[] {
  const tokens = matchTokens(norm);
  if (tokens.length > 16) return tokens.sort();
  // A name has a few words: sorted in place, in the order sort() gives (UTF-16 code units), without
  // the scratch space Array.prototype.sort takes on every call.
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    let j = i - 1;
    for (; j >= 0 && tokens[j]! > token; j--) tokens[j + 1] = tokens[j]!;
    tokens[j + 1] = token;
  }
  return tokens;
}

/** A word that is a number: the vocabulary leaves numbers out, and they are never corrected. */
export const isNumber = (word: string): boolean => /^\d+$/.test(word);

/** The code of the space that separates the words of a normalised text. */
export const SPACE = ' '.charCodeAt(0);

/** The text without spaces: `NetPromoterScore` and `Net Promoter Score` meet here. */
export function compact(norm: string): string {
  return norm.replace(/ /g, '');
}
