// Answers to glossary lookups, remembered per process: the same question (most lookups are the
// same few dozen terms) is answered from memory, without a database round trip. Correctness
// comes from forgetting: every change to what an answer shows makes Postgres send a change notice
// naming the table (the triggers of src/db/remembered-tables.ts) and every process forgets everything
// it remembered, unless that list says its answers do not show the table. The cache works only while those notices
// can arrive: it is off until the listener is connected and turns off (and forgets) whenever the
// listener loses its connection (src/db/remembered.ts). Memory is a budget: each cache keeps at most
// so many answers and so many bytes (estimated), the least recently used going first.
import { noticesFor, type RememberedAnswer } from './remembered-tables.js';
import { Remembered } from './remembered.js';

export interface CacheCounts {
  hits: number;
  misses: number;
}

export interface AnswerCacheOptions<V = unknown> {
  /** Answers kept at most; the least recently used go first. */
  maxEntries?: number;
  /** Bytes the answers may take at most (as `sizeOf` estimates them); the least recently used go first. */
  maxBytes?: number;
  /** About how many bytes an answer takes in memory; by default its strings twice (UTF-16) and a little for each object, property and item. */
  sizeOf?: (value: V) => number;
  /** A backstop: an answer is never older than this, notice or not. */
  maxAgeMs?: number;
  /** What the answers are (src/db/remembered-tables.ts): only notices of what they show make them forgotten. */
  shows?: RememberedAnswer;
  /** Tables whose changes no remembered answer shows (their notices are ignored). */
  unaffectedBy?: readonly string[];
  /**
   * When the cache is full, keep a new answer only if its question was asked before (recently):
   * for answers keyed by the question asked. Most questions are asked once; remembering each of
   * those displaced answers asked again and again, and the garbage collector's work on answers
   * kept and soon dropped paused every request (bench/glossary: p99 3.3 × bare Bolt with, 2.5 × without).
   */
  whenFullOnlyAskedAgain?: boolean;
}

/**
 * Questions asked recently, as 32-bit fingerprints in a fixed table of 65,536 slots (256 KB, nothing
 * for the garbage collector to follow). A question is forgotten when a later one lands on its slot;
 * one is taken for asked before only when its fingerprint clashes too (about 1 in 4 billion).
 */
class RecentlyAsked {
  private readonly slots = new Uint32Array(1 << 16);

  /** Whether the question was asked before; notes it as asked. */
  askedBefore(key: string): boolean {
    // Two FNV-1a style hashes with different primes: one picks the slot, the other is the fingerprint.
    let slotHash = 0x811c9dc5;
    let fingerprint = 0x2f1e6d3b;
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i);
      slotHash = Math.imul(slotHash ^ code, 0x01000193);
      fingerprint = Math.imul(fingerprint ^ code, 0x5bd1e995);
    }
    const slot = (slotHash ^ (slotHash >>> 16)) & 0xffff;
    // 0 marks an empty slot, so no fingerprint is 0.
    const mark = (fingerprint | 1) >>> 0;
    if (this.slots[slot] === mark) return true;
    this.slots[slot] = mark;
    return false;
  }
}

interface Entry<V> {
  key: string;
  value: V;
  at: number;
  bytes: number;
  /** The entry used just before this one, and just after (the list of use, least recent first). */
  older: Entry<V> | undefined;
  newer: Entry<V> | undefined;
}

export class AnswerCache<V> extends Remembered {
  private readonly entries = new Map<string, Entry<V>>();
  /**
   * The entries in order of use, as a list: eviction takes the least recently used at once. (Taking
   * the first of a Map in insertion order instead walks past every entry deleted since the Map
   * last rebuilt itself: with a full cache, thousands on every new answer.)
   */
  private leastRecent: Entry<V> | undefined;
  private mostRecent: Entry<V> | undefined;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (value: V) => number;
  private totalBytes = 0;
  private readonly maxAgeMs: number;
  private readonly unaffectedBy: ReadonlySet<string>;
  private readonly notices: ReadonlySet<string> | undefined;
  readonly counts: CacheCounts = { hits: 0, misses: 0 };
  private readonly recentlyAsked: RecentlyAsked | undefined;

  constructor(options: AnswerCacheOptions<V> = {}) {
    super();
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.sizeOf = options.sizeOf ?? approximateSize;
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.unaffectedBy = new Set(options.unaffectedBy ?? []);
    this.notices = options.shows ? noticesFor(options.shows) : undefined;
    this.recentlyAsked = options.whenFullOnlyAskedAgain ? new RecentlyAsked() : undefined;
  }

  get(key: string): V | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.at <= this.maxAgeMs) {
      this.counts.hits++;
      this.unlink(entry);
      this.append(entry);
      return entry.value;
    }
    if (entry) this.drop(entry);
    this.counts.misses++;
    return undefined;
  }

  /**
   * Taken before reading the database; `set` keeps the answer only if nothing changed since, so an
   * answer read before a change can never be remembered after its notice.
   */
  ticket(): number {
    return this.generation;
  }

  set(key: string, value: V, ticket: number): void {
    if (!this.enabled || ticket !== this.generation) return;
    const askedBefore = this.recentlyAsked?.askedBefore(key) ?? true;
    const known = this.entries.get(key);
    // A question asked once, with every place taken, is not kept: nor measured (most new answers, then).
    if (!known && !askedBefore && this.entries.size >= this.maxEntries) return;
    const bytes = this.sizeOf(value) + key.length * 2;
    // An answer larger than the whole budget is not kept at all.
    if (bytes > this.maxBytes) return;
    if (known) this.drop(known);
    else if (!askedBefore && this.totalBytes + bytes > this.maxBytes) return;
    while (this.leastRecent && (this.entries.size >= this.maxEntries || this.totalBytes + bytes > this.maxBytes)) this.drop(this.leastRecent);
    const entry: Entry<V> = { key, value, at: Date.now(), bytes, older: undefined, newer: undefined };
    this.entries.set(key, entry);
    this.append(entry);
    this.totalBytes += bytes;
  }

  /** About how many bytes the remembered answers take (for the budget and /metrics). */
  get bytes(): number {
    return this.totalBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(entry: Entry<V>): void {
    this.entries.delete(entry.key);
    this.unlink(entry);
    this.totalBytes -= entry.bytes;
  }

  private unlink(entry: Entry<V>): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.leastRecent = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.mostRecent = entry.older;
    entry.older = entry.newer = undefined;
  }

  private append(entry: Entry<V>): void {
    entry.older = this.mostRecent;
    if (this.mostRecent) this.mostRecent.newer = entry;
    else this.leastRecent = entry;
    this.mostRecent = entry;
  }

  /**
   * The remembered answer to `key`, or `compute`'s, remembered unless something changed while it
   * was computed. (A failure is not remembered.)
   */
  async remember(key: string, compute: () => Promise<V>): Promise<V> {
    const known = this.get(key);
    if (known !== undefined) return known;
    const ticket = this.ticket();
    const value = await compute();
    this.set(key, value, ticket);
    return value;
  }

  override dependsOn(table: string): boolean {
    return (this.notices?.has(table) ?? true) && !this.unaffectedBy.has(table);
  }

  protected clear(): void {
    this.entries.clear();
    this.leastRecent = this.mostRecent = undefined;
    this.totalBytes = 0;
  }
}

/**
 * About the bytes a value takes: its strings twice (UTF-16) and some bytes for each object, property
 * and item, found by walking it. (JSON.stringify, which this replaced, cost a glossary lookup that
 * was not remembered about 2 % of its CPU: every new answer is measured.)
 */
function approximateSize(value: unknown): number {
  return 100 + bytesOf(value, 0);
}

function bytesOf(value: unknown, depth: number): number {
  if (typeof value === 'string') return 16 + 2 * value.length;
  if (value === null || typeof value !== 'object') return 8;
  // Deeper than any answer goes: a loop, or something not meant to be remembered whole.
  if (depth > 32) return 4_096;
  if (value instanceof Date) return 48;
  let bytes = 32;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) bytes += 8 + bytesOf(item, depth + 1);
    return bytes;
  }
  for (const key in value) bytes += 16 + bytesOf((value as Record<string, unknown>)[key], depth + 1);
  return bytes;
}
