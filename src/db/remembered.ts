// What a process keeps in memory from the database is right only while it hears every change: the
// change notices (src/db/change-notices.ts) say when to forget. This holds the rule once for each
// kind of memory (answers, term indexes): off until the listener listens, everything forgotten on a
// change and whenever the listener is lost, and a generation that a read taken before a change can
// be checked against, so that it is never kept after it.
export abstract class Remembered {
  protected generation = 0;
  protected enabled = false;

  /** Drops everything kept. */
  protected abstract clear(): void;

  /** Whether what is kept can show something of `table` (a change notice names it); by default, anything. */
  dependsOn(_table: string): boolean {
    return true;
  }

  /** A change notice: forgets everything if what changed may show here. */
  changed(table: string): void {
    if (this.dependsOn(table)) this.forget();
  }

  /** Something kept may have changed: forget everything. */
  forget(): void {
    this.generation++;
    this.clear();
  }

  /** Change notices arrive (again): start keeping, from nothing. */
  enable(): void {
    this.forget();
    this.enabled = true;
  }

  /** Change notices may be missed: keep nothing. */
  disable(): void {
    this.enabled = false;
    this.forget();
  }

  get isEnabled(): boolean {
    return this.enabled;
  }
}

/**
 * What a kind of memory loads in the background (a term index, an organisation's cards): one load per
 * key at a time, never waited for, and loads of one key at least `pauseFactor` times their own
 * duration apart, so that a busy writer cannot keep a core or the database busy reloading.
 */
export class BackgroundLoads {
  private readonly running = new Set<string>();
  /** When each key's last load ended and how long it took. */
  private readonly last = new Map<string, { endedAt: number; tookMs: number }>();

  constructor(private readonly pauseFactor: number) {}

  /** Starts `load` for `key` unless one runs or the last ended too recently; a failure goes to `failed`. */
  start(key: string, load: () => Promise<void>, failed: (error: unknown) => void): void {
    if (this.running.has(key)) return;
    const last = this.last.get(key);
    if (last && Date.now() - last.endedAt < last.tookMs * this.pauseFactor) return;
    this.running.add(key);
    const started = Date.now();
    void load()
      .catch(failed)
      .finally(() => {
        this.running.delete(key);
        this.last.set(key, { endedAt: Date.now(), tookMs: Date.now() - started });
      });
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }
}
