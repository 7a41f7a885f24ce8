/** Where throttled warnings go (a Nest Logger fits). */
export interface WarnSink {
  warn(message: unknown): void;
}

/**
 * At most one warning per kind and window, with how many were held back: when NATS goes away,
 * two thousand hosts failing the same way make one line every few seconds, not thousands.
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly sink: WarnSink,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(kind: string, fields: Record<string, unknown>): void {
    const now = this.now();
    const seen = this.last.get(kind);
    if (seen && now - seen.at < this.windowMs) {
      seen.suppressed++;
      return;
    }
    this.sink.warn({ msg: kind, ...fields, ...(seen?.suppressed ? { suppressed: seen.suppressed } : {}) });
    this.last.set(kind, { at: now, suppressed: 0 });
  }
}
