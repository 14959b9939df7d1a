// The loop every sweep runs on: a pass now, then one every interval, never two passes at once, and
// nothing scheduled once it is stopped (a pass still running when it stops does not reschedule).
export class PeriodicTask<T> {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<T>,
    private readonly options: {
      intervalMs: number;
      /** What runOnce returns when a pass is already under way. */
      busy: T;
      onError(error: unknown): void;
    },
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      await this.runOnce().catch((error: unknown) => this.options.onError(error));
      if (this.stopped) return;
      this.timer = setTimeout(() => void tick(), this.options.intervalMs);
      this.timer.unref();
    };
    this.timer = setTimeout(() => void tick(), 0);
    this.timer.unref();
  }

  async runOnce(): Promise<T> {
    if (this.running) return this.options.busy;
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
