// Finding a journey from what someone typed: exact key or name first (case- and accent-insensitive),
// then a tolerant match (typos, word order, partial words) that ranks the best few candidates.
// A journey tree is small (hundreds at most), so matching runs in memory, the same on every database.

export interface Matchable {
  id: string;
  key: string;
  name: string;
}

export interface MatchResult<T extends Matchable> {
  exact?: T;
  /** Best first; empty when nothing is close. */
  candidates: { journey: T; score: number }[];
}

/** Lower case, accents removed, punctuation as spaces: “Réception  d'accueil” → “reception d accueil”. */
export function fold(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Trigrams as pg_trgm makes them: each word padded with two spaces in front and one behind. */
function trigrams(folded: string): Set<string> {
  const grams = new Set<string>();
  for (const word of folded.split(' ').filter(Boolean)) {
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  }
  return grams;
}

function similarity(a: string, b: string): number {
  const left = trigrams(a);
  const right = trigrams(b);
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const gram of left) if (right.has(gram)) shared++;
  return shared / (left.size + right.size - shared);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** How well `query` names `target` (both folded), from 0 to 1. */
function score(query: string, target: string): number {
  if (!query || !target) return 0;
  if (query === target) return 1;
  let best = similarity(query, target);
  const queryWords = query.split(' ');
  const targetWords = target.split(' ');
  // Every typed word starts a word of the name, in any order: "welcome", "gift welcome".
  if (queryWords.every((q) => targetWords.some((t) => t.startsWith(q)))) {
    best = Math.max(best, 0.55 + 0.4 * (query.replace(/ /g, '').length / target.replace(/ /g, '').length));
  }
  // A typo or two in a single word: "onbaording", "billling".
  const distance = editDistance(query, target);
  const allowed = target.length <= 4 ? 0 : target.length <= 8 ? 1 : 2;
  if (distance <= allowed) best = Math.max(best, 0.9 - 0.1 * distance);
  return Math.min(best, 0.99);
}

export const MATCH_THRESHOLD = 0.3;

export function matchJourneys<T extends Matchable>(journeys: T[], typed: string, limit = 5): MatchResult<T> {
  const query = fold(typed);
  if (!query) return { candidates: [] };
  const exact = journeys.find((j) => j.key === typed.trim().toLowerCase() || fold(j.key) === query || fold(j.name) === query);
  if (exact) return { exact, candidates: [{ journey: exact, score: 1 }] };
  const candidates = journeys
    .map((journey) => ({ journey, score: Math.max(score(query, fold(journey.key)), score(query, fold(journey.name))) }))
    .filter((c) => c.score >= MATCH_THRESHOLD)
    .sort((a, b) => b.score - a.score || a.journey.name.localeCompare(b.journey.name))
    .slice(0, limit);
  return { candidates };
}

/** The one candidate that clearly stands out, if any: safe to act on without asking. */
export function clearWinner<T extends Matchable>(result: MatchResult<T>): T | undefined {
  if (result.exact) return result.exact;
  const [first, second] = result.candidates;
  if (!first) return undefined;
  if (!second) return first.score >= 0.5 ? first.journey : undefined;
  return first.score >= 0.6 && first.score - second.score >= 0.2 ? first.journey : undefined;
}
