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
