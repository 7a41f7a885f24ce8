export interface CachedProbeOptions {
  /** A value younger than this is answered without asking again. */
  maxAgeMs: number;
  /** How long a reader waits for a fresh value before it takes `fallback`. */
  waitMs: number;
  now?: () => number;
}

/**
 * A value read from a dependency that may be slow or down (JetStream consumer info, a health check),
 * for a scrape: cached for `maxAgeMs`, at most one read in flight, and a reader never waits longer
 * than `waitMs`; a failed or late read answers `fallback`.
 */
export class CachedProbe<T> {
  private value: { v: T; at: number } | null = null;
  private inFlight: Promise<T> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly fallback: T,
    private readonly options: CachedProbeOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<T> {
    if (this.value && this.now() - this.value.at < this.options.maxAgeMs) return this.value.v;
    const reading = (this.inFlight ??= this.refresh());
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(this.fallback), this.options.waitMs);
      timer.unref?.();
    });
    try {
      return await Promise.race([reading, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async refresh(): Promise<T> {
    try {
      const v = await this.read();
      this.value = { v, at: this.now() };
      return v;
    } catch {
      this.value = null;
      return this.fallback;
    } finally {
      this.inFlight = null;
    }
  }
}
