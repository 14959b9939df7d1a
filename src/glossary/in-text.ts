// The glossary's terms in a message someone wrote (`glossary explain`, the Slack message shortcut,
// the Teams message action, and the watched channels' nudges). Only whole names and aliases count,
// never a typo's guess: a wrong "did you mean" on somebody's message costs more trust than a term
// left unexplained. A deprecated term brings its approved replacement; an acronym the glossary does
// not know is listed so it can be proposed.
import type { Db } from '../db/database.js';
import { followReplacements } from './matching/lookup.js';
import { normalise } from './matching/normalise.js';
import { termsNamedBy, termSummaries, type PhraseMatch } from './repo/in-text.js';
import type { TermStatus } from './tables.js';

/** Names and aliases longer than this many words are not looked for in a text. */
const LONGEST_PHRASE = 6;
/** The part of a message that is read: a long message's first few thousand characters. */
export const TEXT_READ = 4000;
/** Terms listed at most; the rest are counted. */
const TERMS_SHOWN = 10;
const ACRONYMS_SHOWN = 5;

export interface TermInText {
  termId: string;
  name: string;
  status: TermStatus;
  definition: string;
  /** The words of the message that named it (normalised). */
  written: string;
  /** For a deprecated term: the approved term that replaces it. */
  replacement?: { termId: string; name: string; definition: string };
}

export interface TermsInText {
  terms: TermInText[];
  /** Terms found beyond the ones listed. */
  more: number;
  /** Acronyms in the message that are neither a term nor an alias. */
  unknownAcronyms: string[];
}

/** Every run of one to six words of a normalised text, with where it starts and how many words it has. */
export function phrasesOf(words: string[]): Map<string, { start: number; length: number }[]> {
  const phrases = new Map<string, { start: number; length: number }[]>();
  for (let start = 0; start < words.length; start++) {
    let phrase = '';
    for (let length = 1; length <= LONGEST_PHRASE && start + length <= words.length; length++) {
      phrase = length === 1 ? words[start]! : `${phrase} ${words[start + length - 1]!}`;
      const at = phrases.get(phrase);
      if (at) at.push({ start, length });
      else phrases.set(phrase, [{ start, length }]);
    }
  }
  return phrases;
}

/**
 * Of the phrases that name a term, the longest first and never two over the same words ("net
 * promoter score" wins over "promoter"), in the order the message has them, each term once.
 */
export function pickMatches<M extends { phrase: string; termId: string }>(matches: M[], phrases: Map<string, { start: number; length: number }[]>): { match: M; start: number }[] {
  const spans = matches.flatMap((match) => (phrases.get(match.phrase) ?? []).map((at) => ({ match, ...at })));
  spans.sort((a, b) => b.length - a.length || a.start - b.start);
  const taken: boolean[] = [];
  const picked: { match: M; start: number }[] = [];
  for (const span of spans) {
    let free = true;
    for (let i = span.start; i < span.start + span.length; i++) if (taken[i]) free = false;
    if (!free) continue;
    for (let i = span.start; i < span.start + span.length; i++) taken[i] = true;
    picked.push({ match: span.match, start: span.start });
  }
  picked.sort((a, b) => a.start - b.start);
  const seen = new Set<string>();
  return picked.filter((p) => !seen.has(p.match.termId) && seen.add(p.match.termId));
}

/** Words that look like acronyms and are not CX jargon (so never offered as terms to propose). */
const COMMON_ACRONYMS = new Set(['OK', 'FYI', 'ASAP', 'EOD', 'EOW', 'TBD', 'TBC', 'ETA', 'PS', 'AM', 'PM', 'UTC', 'CET', 'US', 'UK', 'EU', 'ID', 'IT', 'HR', 'CEO', 'CTO', 'CFO', 'COO', 'FAQ', 'PDF', 'URL', 'API', 'AI', 'IIRC', 'IMO', 'TL', 'DR', 'OOO', 'PTO', 'Q1', 'Q2', 'Q3', 'Q4', 'H1', 'H2', 'YOY', 'MOM']);

/** Upper-case words of two to eight letters or digits (with a plural "s"), as written: NPS, CSAT, KPIs. */
export function acronymsIn(raw: string): string[] {
  const found = new Set<string>();
  for (const match of raw.matchAll(/(?<![\p{L}\p{N}])([A-Z][A-Z0-9&]{1,7})s?(?![\p{L}\p{N}])/gu)) {
    const acronym = match[1]!;
    if (/[A-Z].*[A-Z]/.test(acronym) && !COMMON_ACRONYMS.has(acronym)) found.add(acronym);
  }
  return [...found];
}

/** The glossary's terms in `raw`, the replacements of the deprecated ones, and the acronyms it does not know. */
export async function termsInText(db: Db, orgId: string, raw: string): Promise<TermsInText> {
  const read = raw.slice(0, TEXT_READ);
  const words = normalise(read).split(' ').filter(Boolean);
  const phrases = phrasesOf(words);
  const rows = await termsNamedBy(db, orgId, [...phrases.keys()]);
  const picked = pickMatches(rows.map((row) => ({ ...row, termId: row.term_id })), phrases);
  const shown = picked.slice(0, TERMS_SHOWN).map((p) => p.match);
  const terms = await withReplacements(db, orgId, shown);
  const covered = new Set(rows.flatMap((row) => row.phrase.split(' ')));
  const unknownAcronyms = acronymsIn(read)
    .filter((acronym) => !covered.has(normalise(acronym)))
    .slice(0, ACRONYMS_SHOWN);
  return { terms, more: picked.length - shown.length, unknownAcronyms };
}

async function withReplacements(db: Db, orgId: string, matches: (PhraseMatch & { termId: string })[]): Promise<TermInText[]> {
  const finals = new Map<string, string>();
  for (const m of matches) {
    if (m.status !== 'deprecated' || !m.replaced_by_id) continue;
    const final = await followReplacements(db, orgId, m.term_id);
    if (final.termId !== m.term_id) finals.set(m.term_id, final.termId);
  }
  const summaries = new Map((await termSummaries(db, orgId, [...new Set(finals.values())])).map((s) => [s.id, s]));
  return matches.map((m) => {
    const term: TermInText = { termId: m.term_id, name: m.name, status: m.status, definition: m.definition, written: m.phrase };
    const replacement = summaries.get(finals.get(m.term_id) ?? '');
    return replacement ? { ...term, replacement: { termId: replacement.id, name: replacement.name, definition: replacement.definition } } : term;
  });
}
