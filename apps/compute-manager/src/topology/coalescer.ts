/** What the coalescer needs of time: injected, so that tests drive it. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Runs `work` when asked, but never twice at once and never more often than once per
 * `minIntervalMs`: any number of requests in between (2,000 hosts answering a push) is one run.
 * A request while the work runs means one more run after it, so nothing asked for is missed.
 */
export class Coalescer {
  private last = Number.NEGATIVE_INFINITY;
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly minIntervalMs: number,
    private readonly work: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== null) return;
    const delay = Math.max(0, this.last + this.minIntervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.fire(), delay);
  }

  /** Resolves once no run is under way. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(): void {
    this.timer = null;
    this.last = this.clock.now();
    this.running = this.work()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
  }
}
