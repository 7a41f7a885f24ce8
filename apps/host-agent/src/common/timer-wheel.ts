/**
 * Delayed callbacks for thousands of hosts on one timer: callbacks are grouped in slots of
 * `resolutionMs`, and only the slots that hold something are visited. A callback runs at most
 * `resolutionMs` late, never early.
 */
export class TimerWheel {
  private readonly slots = new Map<number, Array<() => void>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly resolutionMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  schedule(delayMs: number, run: () => void): void {
    if (this.stopped) return;
    const slot = Math.ceil((this.now() + Math.max(0, delayMs)) / this.resolutionMs);
    const list = this.slots.get(slot);
    if (list) list.push(run);
    else this.slots.set(slot, [run]);
    this.arm();
  }

  get pending(): number {
    let n = 0;
    for (const list of this.slots.values()) n += list.length;
    return n;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.slots.clear();
  }

  /** Runs what is due; exposed for tests with a fake clock. */
  runDue(): void {
    const current = Math.floor(this.now() / this.resolutionMs);
    for (const [slot, list] of [...this.slots]) {
      if (slot > current) continue;
      this.slots.delete(slot);
      for (const run of list) run();
    }
  }

  private arm(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runDue();
      if (this.slots.size > 0) this.arm();
    }, this.resolutionMs);
    this.timer.unref();
  }
}
