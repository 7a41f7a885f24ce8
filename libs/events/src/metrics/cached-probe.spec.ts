import { CachedProbe } from './cached-probe.js';

describe('CachedProbe', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1000));

  it('answers a fresh value without reading again, and reads again once it is old', async () => {
    let reads = 0;
    const probe = new CachedProbe(async () => ++reads, -1, { maxAgeMs: 5000, waitMs: 1000, now: clock });
    expect(await probe.get()).toBe(1);
    now += 4999;
    expect(await probe.get()).toBe(1);
    now += 1;
    expect(await probe.get()).toBe(2);
    expect(reads).toBe(2);
  });

  it('answers the fallback when the read fails, and tries again on the next get', async () => {
    let fail = true;
    const probe = new CachedProbe(
      async () => {
        if (fail) throw new Error('down');
        return 7;
      },
      0,
      { maxAgeMs: 5000, waitMs: 1000, now: clock },
    );
    expect(await probe.get()).toBe(0);
    fail = false;
    expect(await probe.get()).toBe(7);
  });

  it('never waits longer than waitMs on a read that hangs, and keeps one read in flight', async () => {
    let reads = 0;
    let release!: (v: number) => void;
    const probe = new CachedProbe(
      () => {
        reads++;
        return new Promise<number>((r) => (release = r));
      },
      0,
      { maxAgeMs: 5000, waitMs: 20, now: clock },
    );
    expect(await probe.get()).toBe(0);
    expect(await probe.get()).toBe(0);
    expect(reads).toBe(1);
    release(3);
    await new Promise((r) => setImmediate(r));
    expect(await probe.get()).toBe(3);
    expect(reads).toBe(1);
  });
});
