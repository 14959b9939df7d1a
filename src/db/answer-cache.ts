// Answers to glossary lookups, remembered per process: the same question (most lookups are the
// same few dozen terms) is answered from memory, without a database round trip. Correctness
// comes from forgetting: every change to what an answer shows makes Postgres send a change notice
// naming the table (the triggers of src/db/remembered-tables.ts) and every process forgets everything
// it remembered, unless that list says its answers do not show the table. The cache works only while those notices
// can arrive: it is off until the listener is connected and turns off (and forgets) whenever the
// listener loses its connection (src/db/remembered.ts).
import { noticesFor, type RememberedAnswer } from './remembered-tables.js';
import { Remembered } from './remembered.js';

export interface CacheCounts {
  hits: number;
  misses: number;
}

export interface AnswerCacheOptions {
  /** Answers kept at most; the oldest go first. (A term card is 1–6 KB in memory: 10,000 stay well under 60 MB.) */
  maxEntries?: number;
  /** A backstop: an answer is never older than this, notice or not. */
  maxAgeMs?: number;
  /** What the answers are (src/db/remembered-tables.ts): only notices of what they show make them forgotten. */
  shows?: RememberedAnswer;
  /** Tables whose changes no remembered answer shows (their notices are ignored). */
  unaffectedBy?: readonly string[];
}

export class AnswerCache<V> extends Remembered {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly unaffectedBy: ReadonlySet<string>;
  private readonly notices: ReadonlySet<string> | undefined;
  readonly counts: CacheCounts = { hits: 0, misses: 0 };

  constructor(options: AnswerCacheOptions = {}) {
    super();
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.unaffectedBy = new Set(options.unaffectedBy ?? []);
    this.notices = options.shows ? noticesFor(options.shows) : undefined;
  }

  get(key: string): V | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.at <= this.maxAgeMs) {
      this.counts.hits++;
      return entry.value;
    }
    if (entry) this.entries.delete(key);
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
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, at: Date.now() });
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
  }
}
