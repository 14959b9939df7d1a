// Which organisations' term indexes (src/glossary/matching/term-index.ts) are current. Like the answer cache,
// an index is trusted only while change notices arrive (src/db/remembered.ts): a notice that names
// or aliases changed makes every index stale, and a lookup then goes to the database (the SQL
// passes of src/glossary/matching/lookup-repo.ts) while a new index is built in the background. A lookup never
// waits for a build. An index built from a read that started before a change is thrown away.
import type { Db } from '../../db/database.js';
import { BackgroundLoads, Remembered } from '../../db/remembered.js';
import type { Logger } from '../../log.js';
import { TermIndex } from './term-index.js';

export interface TermIndexesOptions {
  /** Terms kept in memory across organisations at most (100,000 take about 80 MB); the least recently used indexes go first. */
  maxTerms?: number;
  /** Rebuilds of one organisation are at least this many times their own duration apart (a busy writer cannot keep a core busy rebuilding). */
  pauseFactor?: number;
}

/** What an index is built from: terms' names, status and words (notified as glossary_names, see migrations/0008) and aliases. */
const SOURCES = new Set(['glossary_names', 'glossary_aliases']);

export class TermIndexes extends Remembered {
  /** Only names and aliases make an index stale: an edited definition or a new person does not. */
  override dependsOn(table: string): boolean {
    return SOURCES.has(table);
  }

  /** Current indexes only: a change empties this (see clear), so what is here is never stale. */
  private readonly built = new Map<string, TermIndex>();
  private readonly builds: BackgroundLoads;
  private readonly maxTerms: number;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    options: TermIndexesOptions = {},
  ) {
    super();
    this.maxTerms = options.maxTerms ?? 200_000;
    this.builds = new BackgroundLoads(options.pauseFactor ?? 1);
  }

  /** The organisation's index if it is current; otherwise undefined, and one is built for later lookups. */
  current(orgId: string): TermIndex | undefined {
    if (!this.enabled) return undefined;
    const index = this.built.get(orgId);
    if (index) {
      // Most recently used last, so eviction takes the first.
      this.built.delete(orgId);
      this.built.set(orgId, index);
      return index;
    }
    this.startBuild(orgId);
    return undefined;
  }

  /** Waits (up to ten seconds) for the organisation's index to be current; for tests. */
  async ready(orgId: string): Promise<TermIndex | undefined> {
    for (let i = 0; i < 1000 && this.enabled; i++) {
      const index = this.current(orgId);
      if (index) return index;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return undefined;
  }

  protected clear(): void {
    this.built.clear();
  }

  private startBuild(orgId: string): void {
    const generation = this.generation;
    this.builds.start(
      orgId,
      async () => {
        const index = await TermIndex.load(this.db, orgId);
        if (generation !== this.generation || !this.enabled) return;
        this.built.set(orgId, index);
        this.evict();
      },
      (error) => this.log.warn({ err: error, orgId }, 'glossary: the term index could not be built; lookups read the database meanwhile'),
    );
  }

  private evict(): void {
    let total = 0;
    for (const index of this.built.values()) total += index.size;
    for (const [orgId, index] of this.built) {
      if (total <= this.maxTerms || this.built.size === 1) break;
      this.built.delete(orgId);
      total -= index.size;
    }
  }
}
