import { Batcher, type Settled } from './batcher.js';

/** A run that holds each batch until released, recording the batches it was given. */
function heldRun() {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const run = (items: number[]): Promise<Array<Settled<number>>> => {
    batches.push(items);
    return new Promise((resolve) =>
      releases.push(() => resolve(items.map((i) => (i < 0 ? { ok: false, error: new Error(`refused ${i}`) } : { ok: true, value: i * 10 })))),
    );
  };
  return { batches, releases, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Batcher', () => {
  it('starts a lone item at once and batches what arrives while a batch runs, in arrival order', async () => {
    const { batches, releases, run } = heldRun();
    const batcher = new Batcher(run, { maxBatch: 100, maxInFlight: 1 });
    const first = batcher.submit(1);
    expect(batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((i) => batcher.submit(i));
    expect(batches).toEqual([[1]]);
    releases[0]();
    await expect(first).resolves.toBe(10);
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    releases[1]();
    await expect(Promise.all(rest)).resolves.toEqual([20, 30, 40]);
  });

  it('refuses only the items the run refused', async () => {
    const { releases, run } = heldRun();
    const batcher = new Batcher(run, { maxBatch: 100, maxInFlight: 1 });
    const held = batcher.submit(0);
    const answers = [5, -1, 6].map((i) => batcher.submit(i));
    releases[0]();
    await held;
    await tick();
    releases[1]();
    await expect(answers[0]).resolves.toBe(50);
    await expect(answers[1]).rejects.toThrow('refused -1');
    await expect(answers[2]).resolves.toBe(60);
  });

  it('fails every item of a batch whose run throws, and goes on with the next batch', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>(
      async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('connection lost');
        return items.map((i) => ({ ok: true, value: i }));
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    await expect(batcher.submit(1)).rejects.toThrow('connection lost');
    await expect(batcher.submit(2)).resolves.toBe(2);
    let syncCalls = 0;
    const throwing = new Batcher<number, number>(
      () => {
        syncCalls += 1;
        throw new Error('thrown at once');
      },
      { maxBatch: 1, maxInFlight: 1 },
    );
    await expect(throwing.submit(1)).rejects.toThrow('thrown at once');
    await expect(throwing.submit(2)).rejects.toThrow('thrown at once');
    expect(syncCalls).toBe(2);
  });

  it('keeps at most maxInFlight batches of at most maxBatch items under way', async () => {
    const { batches, releases, run } = heldRun();
    const batcher = new Batcher(run, { maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5, 6, 7].map((i) => batcher.submit(i));
    expect(batches).toEqual([[1], [2]]);
    releases[0]();
    await tick();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    releases[1]();
    await tick();
    expect(batches).toEqual([[1], [2], [3, 4], [5, 6]]);
    releases[2]();
    await tick();
    expect(batches).toEqual([[1], [2], [3, 4], [5, 6], [7]]);
    releases[3]();
    releases[4]();
    await expect(Promise.all(all)).resolves.toEqual([10, 20, 30, 40, 50, 60, 70]);
  });
});
