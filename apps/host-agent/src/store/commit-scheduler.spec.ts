import { CommitScheduler, type Committable } from './commit-scheduler.js';

const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));

function target(behaviour: () => Promise<void> = () => Promise.resolve()): Committable & { commits: number } {
  const t = {
    commits: 0,
    commit: () => {
      t.commits++;
      return behaviour();
    },
  };
  return t;
}

describe('commit scheduler', () => {
  const errors: unknown[] = [];
  const scheduler = (o: Partial<ConstructorParameters<typeof CommitScheduler>[0]> = {}) =>
    new CommitScheduler({ windowMs: 5, concurrency: 8, retryMs: 20, lazyMs: 60, onError: (e) => errors.push(e), ...o });

  it('commits a target once for all the changes of a window', async () => {
    const s = scheduler();
    const t = target();
    for (let i = 0; i < 50; i++) s.markDirty(t);
    await s.idle();
    expect(t.commits).toBe(1);
    s.stop();
  });

  it('without a window, commits the changes of one turn of the event loop together, before any timer', async () => {
    const s = scheduler({ windowMs: 0 });
    const [a, b] = [target(), target()];
    // Node's shortest timer, set before the changes: a commit on a timer would come after it.
    const timerFired = new Promise<[number, number]>((r) => setTimeout(() => r([a.commits, b.commits]), 0));
    for (let i = 0; i < 10; i++) {
      s.markDirty(a);
      s.markDirty(b);
    }
    expect(a.commits).toBe(0);
    expect(await timerFired).toEqual([1, 1]);
    s.stop();
  });

  it('runs one commit per target at a time, and commits again for changes made meanwhile', async () => {
    let release!: () => void;
    const t = target(() => new Promise<void>((r) => (release = r)));
    const s = scheduler();
    s.markDirty(t);
    await tick();
    s.markDirty(t);
    await tick();
    expect(t.commits).toBe(1);
    release();
    await tick();
    expect(t.commits).toBe(2);
    release();
    await s.idle();
    s.stop();
  });

  it('commits a lazy target after its wait, behind the targets waited for', async () => {
    const order: string[] = [];
    const s = scheduler({ concurrency: 1 });
    const lazy = target(async () => void order.push('lazy'));
    const urgent = target(async () => void order.push('urgent'));
    s.markLazy(lazy);
    s.markLazy(lazy);
    await tick(20);
    expect(lazy.commits).toBe(0);
    s.markDirty(urgent);
    await tick(80);
    expect(order).toEqual(['urgent', 'lazy']);
    expect(lazy.commits).toBe(1);
    s.stop();
  });

  it('commits a lazy target in the next window once it is marked dirty, and at once when idle is asked', async () => {
    const s = scheduler();
    const promoted = target();
    s.markLazy(promoted);
    s.markDirty(promoted);
    await tick(20);
    expect(promoted.commits).toBe(1);
    const waiting = target();
    s.markLazy(waiting);
    await s.idle();
    expect(waiting.commits).toBe(1);
    await tick(80);
    expect(promoted.commits + waiting.commits).toBe(2);
    s.stop();
  });

  it('bounds commits running at once', async () => {
    let running = 0;
    let peak = 0;
    const s = scheduler({ concurrency: 3 });
    const targets = Array.from({ length: 10 }, () =>
      target(async () => {
        peak = Math.max(peak, ++running);
        await tick(5);
        running--;
      }),
    );
    for (const t of targets) s.markDirty(t);
    await s.idle();
    expect(peak).toBe(3);
    expect(targets.every((t) => t.commits === 1)).toBe(true);
    s.stop();
  });

  it('retries a failed commit after a pause', async () => {
    let fail = true;
    const t = target(() => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve()));
    const s = scheduler();
    s.markDirty(t);
    await tick(10);
    expect(t.commits).toBe(1);
    expect(errors.at(-1)).toEqual(new Error('disk full'));
    fail = false;
    await s.idle();
    expect(t.commits).toBe(2);
    s.stop();
  });
});
