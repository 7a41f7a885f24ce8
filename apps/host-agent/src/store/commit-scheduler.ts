/** Something whose changes are written in one go: a host (its store flush and what follows it). */
export interface Committable {
  commit(): Promise<void>;
}

export interface CommitSchedulerOptions {
  /** How long changes gather before they are written: the group-commit window. */
  windowMs: number;
  /** Commits running at once. Bounds the memory of frames in flight; the disk serialises them anyway. */
  concurrency: number;
  /** Wait after a failed commit before the same one is tried again. */
  retryMs: number;
  onError(err: unknown): void;
}

/**
 * Group commit for every host of the process with one timer: a host marked dirty is committed at
 * the next window, one commit per host at a time; changes made meanwhile wait for the next one.
 */
export class CommitScheduler {
  private readonly dirty = new Set<Committable>();
  private readonly running = new Set<Committable>();
  private readonly failed = new Map<Committable, number>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly options: CommitSchedulerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  markDirty(target: Committable): void {
    this.dirty.add(target);
    this.arm(this.options.windowMs);
  }

  /** Resolves when nothing is dirty or running: for a clean shutdown. */
  idle(): Promise<void> {
    if (this.dirty.size === 0 && this.running.size === 0) return Promise.resolve();
    this.arm(0);
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => this.run(), delayMs);
  }

  private run(): void {
    this.timer = null;
    const now = this.now();
    let retryIn = Infinity;
    for (const target of this.dirty) {
      if (this.running.size >= this.options.concurrency) break;
      if (this.running.has(target)) continue;
      const notBefore = this.failed.get(target) ?? 0;
      if (notBefore > now) {
        retryIn = Math.min(retryIn, notBefore - now);
        continue;
      }
      this.dirty.delete(target);
      this.start(target);
    }
    if (this.dirty.size > 0 && this.running.size < this.options.concurrency && Number.isFinite(retryIn)) this.arm(retryIn);
    this.checkIdle();
  }

  private start(target: Committable): void {
    this.running.add(target);
    target
      .commit()
      .then(
        () => this.failed.delete(target),
        (err: unknown) => {
          this.failed.set(target, this.now() + this.options.retryMs);
          this.dirty.add(target);
          this.options.onError(err);
        },
      )
      .finally(() => {
        this.running.delete(target);
        // A freed slot goes to a waiting target at once: whatever waits has gathered its changes
        // while the slot was busy (a target dirtied during its own commit included), and waiting
        // a window per slot would serialise a push to 2,000 hosts into dozens of windows.
        if (this.dirty.size > 0) this.arm(0);
        this.checkIdle();
      });
  }

  private checkIdle(): void {
    if (this.dirty.size > 0 || this.running.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
