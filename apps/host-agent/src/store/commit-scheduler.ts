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
  /**
   * How long a target with only changes nobody waits for (`markLazy`) waits before it joins the
   * queue, behind the targets whose changes are waited for.
   */
  lazyMs: number;
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
  /** Targets whose changes nobody waits for, with when they join the queue. */
  private readonly lazy = new Map<Committable, number>();
  private timer: NodeJS.Timeout | null = null;
  /** Set instead of `timer` when the next run is due at once. */
  private immediate: NodeJS.Immediate | null = null;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly options: CommitSchedulerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  markDirty(target: Committable): void {
    this.lazy.delete(target);
    this.dirty.add(target);
    this.arm(this.options.windowMs);
  }

  /**
   * `target` has changes nobody waits for: it is committed in `lazyMs`, after whatever is waited
   * for by then (a push's proofs are written once its applied changes are, not in their way).
   */
  markLazy(target: Committable): void {
    if (this.dirty.has(target) || this.lazy.has(target)) return;
    this.lazy.set(target, this.now() + this.options.lazyMs);
    this.arm(this.options.lazyMs);
  }

  /** Resolves when nothing is dirty or running: for a clean shutdown. */
  idle(): Promise<void> {
    for (const target of this.lazy.keys()) this.dirty.add(target);
    this.lazy.clear();
    if (this.dirty.size === 0 && this.running.size === 0) return Promise.resolve();
    this.arm(0);
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /** The timer runs at `timerAt` at the latest: an earlier need (a change waited for, behind a lazy one's wait) moves it. */
  private arm(delayMs: number): void {
    if (this.stopped) return;
    const at = this.now() + delayMs;
    if (this.timer || this.immediate) {
      if (this.timerAt <= at) return;
      this.cancel();
    }
    this.timerAt = at;
    // No wait: once this turn's callbacks are done, not on a timer (Node's shortest is 1 ms, more on
    // a busy loop), so that a lone host's change (a migration waits for two) is written at once.
    if (delayMs <= 0) this.immediate = setImmediate(() => this.run());
    else this.timer = setTimeout(() => this.run(), delayMs);
  }

  private timerAt = 0;

  private run(): void {
    this.timer = null;
    this.immediate = null;
    const now = this.now();
    // Lazy targets now due join the queue, behind those already in it. All wait the same time, so
    // insertion order is due order: the first not yet due ends the walk (run() runs once per commit).
    let lazyIn = Infinity;
    for (const [target, due] of this.lazy) {
      if (due > now) {
        lazyIn = due - now;
        break;
      }
      this.lazy.delete(target);
      this.dirty.add(target);
    }
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
    if (Number.isFinite(lazyIn)) this.arm(lazyIn);
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
    if (this.dirty.size > 0 || this.running.size > 0 || this.lazy.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
