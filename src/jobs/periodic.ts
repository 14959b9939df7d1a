// The loop every sweep runs on: a pass now, then one every interval, never two passes at once, and
// nothing scheduled once it is stopped (a pass still running when it stops does not reschedule).
// A sweep extends it and writes only its pass.
export abstract class PeriodicSweep<T> {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly loop: {
      intervalMs: number;
      /** What runOnce returns when a pass is already under way. */
      busy: T;
      onError(error: unknown): void;
    },
  ) {}

  /** One pass of the sweep. */
  protected abstract pass(): Promise<T>;

  start(): void {
    this.stopped = false;
    const tick = async () => {
      await this.runOnce().catch((error: unknown) => this.loop.onError(error));
      if (this.stopped) return;
      this.timer = setTimeout(() => void tick(), this.loop.intervalMs);
      this.timer.unref();
    };
    this.timer = setTimeout(() => void tick(), 0);
    this.timer.unref();
  }

  /** One pass now, unless one is under way. */
  async runOnce(): Promise<T> {
    if (this.running) return this.loop.busy;
    this.running = true;
    try {
      return await this.pass();
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
