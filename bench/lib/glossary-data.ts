// The benchmark glossary: 100,000-odd generated CX terms with two aliases each, as the shared CSV
// format, and a deterministic mix of queries (exact names, aliases, typos, misses) to look up in it.
// bench/glossary imports and queries it; kept apart so a probe of single statements can reuse it.

// A deterministic generator, so every run measures the same glossary and the same queries.
// (mulberry32: 32-bit integer arithmetic throughout, so no precision is lost in doubles.)
let seed = 20260312;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const CX_WORDS = [
  'customer', 'journey', 'score', 'rate', 'contact', 'service', 'online', 'retention', 'loyalty', 'churn', 'effort', 'satisfaction',
  'promoter', 'detractor', 'funnel', 'conversion', 'onboarding', 'billing', 'payment', 'invoice', 'complaint', 'resolution', 'feedback',
  'touchpoint', 'channel', 'agent', 'queue', 'handling', 'time', 'value', 'lifetime', 'segment', 'portal', 'account', 'renewal',
  'upgrade', 'delivery', 'return', 'refund', 'survey', 'response', 'escalation', 'backlog', 'experience', 'employee', 'digital', 'mobile',
  'chat', 'email', 'call', 'visit', 'store', 'order', 'cart', 'checkout', 'basket', 'offer', 'campaign', 'brand', 'trust', 'quality',
];
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'te', 'vo', 'zi', 'pa', 'do', 'fe', 'gu', 'ha', 'ji', 'ko', 'bu', 'ri', 'xo', 'we'];
/** 60 CX words and 240 made-up ones: enough spread that trigram posting lists look like a real vocabulary. */
const WORDS = [...new Set([...CX_WORDS, ...Array.from({ length: 240 }, (_, i) => `${SYLLABLES[i % 20]}${SYLLABLES[(i * 7 + 3) % 20]}${SYLLABLES[Math.floor(i / 20) % 20]}`)])].sort();

export interface GeneratedTerm {
  name: string;
  aliases: [string, string];
}

/** Unique names: three distinct words in alphabetical order; aliases are an acronym code and a reordering (never another name). */
export function generateTerms(count: number): GeneratedTerm[] {
  const seen = new Set<string>();
  const terms: GeneratedTerm[] = [];
  while (terms.length < count) {
    const picked = [...new Set([Math.floor(random() * WORDS.length), Math.floor(random() * WORDS.length), Math.floor(random() * WORDS.length)])].sort((a, b) => a - b);
    if (picked.length < 3) continue;
    const words = picked.map((i) => WORDS[i]!);
    const name = words.map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(' ');
    if (seen.has(name)) continue;
    seen.add(name);
    const code = `${words.map((w) => w[0]!.toUpperCase()).join('')}-${terms.length + 1}`;
    terms.push({ name, aliases: [code, `${words[2]} ${words[0]} ${words[1]}`] });
  }
  return terms;
}

const csvCell = (value: string) => (/[",\n;]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function toCsv(terms: GeneratedTerm[]): string {
  const lines = ['term,aliases,definition,notes,steward,status'];
  terms.forEach((t, i) => {
    const definition = `The ${t.name.toLowerCase()} of a customer, measured per ${pick(CX_WORDS)} and reported per ${pick(['week', 'month', 'quarter'])}.`;
    lines.push([t.name, t.aliases.join(';'), definition, i % 3 === 0 ? 'Agreed by the governance board.' : '', `steward${i % 25}@bench.example.com`, 'approved'].map(csvCell).join(','));
  });
  return `${lines.join('\n')}\n`;
}

/** One typo of the kinds people make: two letters swapped, one dropped, or one doubled. */
function typo(text: string): string {
  const i = 1 + Math.floor(random() * (text.length - 3));
  const kind = random();
  if (kind < 0.4 && text[i] !== ' ' && text[i + 1] !== ' ') return `${text.slice(0, i)}${text[i + 1]}${text[i]}${text.slice(i + 2)}`;
  if (kind < 0.7) return `${text.slice(0, i)}${text.slice(i + 1)}`;
  return `${text.slice(0, i)}${text[i]}${text.slice(i)}`;
}

/** A query sent to the benchmark, and the term it should find (none: a miss). */
export interface BenchQuery {
  text: string;
  kind: string;
  expect?: string;
}

/** 45 % exact names, 15 % aliases, 25 % typos, 15 % misses. */
export function generateQueries(terms: GeneratedTerm[], count: number): BenchQuery[] {
  return Array.from({ length: count }, () => {
    const t = pick(terms);
    const r = random();
    if (r < 0.45) return { text: t.name.toLowerCase(), kind: 'hit', expect: t.name };
    if (r < 0.6) return { text: random() < 0.5 ? t.aliases[0] : t.aliases[1], kind: 'alias', expect: t.name };
    if (r < 0.85) return { text: typo(t.name.toLowerCase()), kind: 'typo', expect: t.name };
    return { text: missQuery(), kind: 'miss' };
  });
}

/** A made-up query that names no term. */
const missQuery = () => `${pick(['quantum', 'zebra', 'glacier', 'velvet', 'orbit'])} ${pick(['pancake', 'harbour', 'lantern', 'meadow'])} ${Math.floor(random() * 1000)}`;

/**
 * A realistic mix: 40 % the 200 most popular terms (by name, now and then by an alias: asked again
 * and again), 30 % typos of any term, 15 % aliases of any term, 15 % misses. About 60 % of lookups
 * are questions not asked before.
 */
export function generateMixQueries(terms: GeneratedTerm[], count: number): BenchQuery[] {
  const popular = terms.slice(0, 200);
  return Array.from({ length: count }, () => {
    const r = random();
    if (r < 0.4) {
      const t = pick(popular);
      return random() < 0.8 ? { text: t.name.toLowerCase(), kind: 'popular', expect: t.name } : { text: t.aliases[1], kind: 'popular', expect: t.name };
    }
    const t = pick(terms);
    if (r < 0.7) return { text: typo(t.name.toLowerCase()), kind: 'typo', expect: t.name };
    if (r < 0.85) return { text: random() < 0.5 ? t.aliases[0] : t.aliases[1], kind: 'alias', expect: t.name };
    return { text: missQuery(), kind: 'miss' };
  });
}
