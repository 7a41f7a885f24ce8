import { LatestValue } from './latest-value.js';

describe('LatestValue', () => {
  it('never lets an older read overwrite a newer value of the same key', async () => {
    const bucket = new Map<string, string>();
    let revision = 1;
    const puts: string[] = [];
    const latest = new LatestValue(
      async (key, json) => {
        puts.push(json);
        bucket.set(key, json);
      },
      async () => undefined,
    );
    // A slow read of revision 1, then revision 2 committed and published at once.
    const slow = latest.publish('s', async () => {
      const r = revision;
      await new Promise((done) => setTimeout(done, 20));
      return { revision: r, json: `r${r}` };
    });
    await new Promise((done) => setTimeout(done, 5));
    revision = 2;
    const fast = latest.publish('s', async () => ({ revision, json: `r${revision}` }));
    await Promise.all([slow, fast]);
    expect(bucket.get('s')).toBe('r2');
    expect(puts).toEqual(['r1', 'r2']);
    // Publishing an older revision later changes nothing.
    await latest.publish('s', async () => ({ revision: 1, json: 'r1' }));
    expect(bucket.get('s')).toBe('r2');
    expect(puts).toHaveLength(2);
  });

  it('does not put again what the bucket already holds after a restart', async () => {
    const puts: string[] = [];
    const latest = new LatestValue(
      async (_key, json) => void puts.push(json),
      async () => 7,
    );
    expect(await latest.publish('h', async () => ({ revision: 7, json: 'r7' }))).toBe(7);
    expect(await latest.publish('h', async () => ({ revision: 8, json: 'r8' }))).toBe(8);
    expect(puts).toEqual(['r8']);
  });

  it('goes on after a failed put, which is tried again by the next publish', async () => {
    let fail = true;
    const puts: string[] = [];
    const latest = new LatestValue(
      async (_key, json) => {
        if (fail) throw new Error('nats away');
        puts.push(json);
      },
      async () => undefined,
    );
    await expect(latest.publish('k', async () => ({ revision: 3, json: 'r3' }))).rejects.toThrow('nats away');
    fail = false;
    expect(await latest.publish('k', async () => ({ revision: 3, json: 'r3' }))).toBe(3);
    expect(puts).toEqual(['r3']);
  });

  it('skips reading a value whose current revision it already put, and reads one it has not', async () => {
    const puts: string[] = [];
    let reads = 0;
    let current = 4;
    const latest = new LatestValue(
      async (_key, json) => void puts.push(json),
      async () => undefined,
    );
    const read = async () => {
      reads++;
      return { revision: current, json: `r${current}` };
    };
    // Nothing put yet by this process: the value is read whatever the revision says.
    expect(await latest.publish('h', read, async () => current)).toBe(4);
    expect(reads).toBe(1);
    // The log's path replaying revision 4 again: one revision read, no value read, no put.
    expect(await latest.publish('h', read, async () => current)).toBe(4);
    expect(reads).toBe(1);
    // A change the fast path did not publish (a crash in between): read and put.
    current = 5;
    expect(await latest.publish('h', read, async () => current)).toBe(5);
    expect(reads).toBe(2);
    expect(puts).toEqual(['r4', 'r5']);
  });

  it('keeps nothing a turn begun before the bucket was lost read from the old bucket', async () => {
    let bucket = new Map<string, number>([['s', 2]]);
    const puts: number[] = [];
    let storedRead!: () => void;
    const reading = new Promise<void>((done) => (storedRead = done));
    let release!: () => void;
    const released = new Promise<void>((done) => (release = done));
    const latest = new LatestValue(
      async (key, json) => {
        puts.push(Number(json));
        bucket.set(key, Number(json));
      },
      async (key) => {
        const held = bucket.get(key);
        storedRead();
        await released;
        return held;
      },
    );
    // A publish reads the old bucket's revision 2 ...
    const before = latest.publish('s', async () => ({ revision: 2, json: '2' }));
    await reading;
    // ... the bucket is lost and created empty meanwhile, and the healer publishes every key again.
    bucket = new Map();
    latest.forget();
    const heal = latest.publish('s', async () => ({ revision: 2, json: '2' }));
    release();
    await Promise.all([before, heal]);
    expect(bucket.get('s')).toBe(2);
    expect(puts).toEqual([2]);
  });
});
