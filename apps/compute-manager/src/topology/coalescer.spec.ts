import { type Clock, Coalescer } from './coalescer.js';

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  async advance(ms: number): Promise<void> {
    this.t += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.t).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
  }
}

describe('coalescer', () => {
  it('makes 2,000 requests within an interval one run', async () => {
    const clock = new ManualClock();
    let runs = 0;
    const c = new Coalescer(250, async () => void runs++, () => {}, clock);
    for (let i = 0; i < 2000; i++) c.request();
    await clock.advance(0);
    expect(runs).toBe(1);
    for (let i = 0; i < 2000; i++) c.request();
    await clock.advance(100);
    expect(runs).toBe(1);
    await clock.advance(150);
    expect(runs).toBe(2);
  });

  it('runs once more after a run that was asked for again while it ran', async () => {
    const clock = new ManualClock();
    let runs = 0;
    let finish: () => void = () => {};
    const c = new Coalescer(
      250,
      () => {
        runs++;
        return new Promise<void>((r) => (finish = r));
      },
      () => {},
      clock,
    );
    c.request();
    await clock.advance(0);
    c.request();
    c.request();
    finish();
    await clock.advance(0);
    expect(runs).toBe(1);
    await clock.advance(250);
    expect(runs).toBe(2);
    finish();
    await clock.advance(1000);
    expect(runs).toBe(2);
  });

  it('goes on after a run that failed, and runs nothing once stopped', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    let runs = 0;
    const c = new Coalescer(250, async () => {
      runs++;
      throw new Error('database gone');
    }, (e) => errors.push(e), clock);
    c.request();
    await clock.advance(0);
    expect(errors).toHaveLength(1);
    c.request();
    await clock.advance(250);
    expect(runs).toBe(2);
    c.request();
    c.stop();
    await clock.advance(1000);
    expect(runs).toBe(2);
  });
});
