import { Batcher } from './batcher.js';

describe('batcher', () => {
  it('reads keys asked for in the same turn together, once each', async () => {
    const loads: string[][] = [];
    const b = new Batcher<string, string>(async (keys) => {
      loads.push(keys);
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    });
    const values = await Promise.all(['a', 'b', 'a'].map((k) => b.get(k)));
    expect(values).toEqual(['A', 'B', 'A']);
    expect(loads).toEqual([['a', 'b']]);
  });

  it('never serves a request from a read that started before it: it waits for the next one', async () => {
    const loads: string[][] = [];
    let release!: () => void;
    const b = new Batcher<string, number>(async (keys) => {
      loads.push(keys);
      if (loads.length === 1) await new Promise<void>((r) => (release = r));
      return new Map(keys.map((k) => [k, loads.length]));
    });
    const first = b.get('a');
    await new Promise((r) => setImmediate(r));
    const second = b.get('a');
    const third = b.get('b');
    release();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    expect(loads).toEqual([['a'], ['a', 'b']]);
  });

  it('fails the requests of a failed read, and reads again for the next ones', async () => {
    let fail = true;
    const b = new Batcher<string, number>(async (keys) => {
      if (fail) throw new Error('nats down');
      return new Map(keys.map((k) => [k, 1]));
    });
    await expect(b.get('a')).rejects.toThrow('nats down');
    fail = false;
    await expect(b.get('a')).resolves.toBe(1);
  });
});
