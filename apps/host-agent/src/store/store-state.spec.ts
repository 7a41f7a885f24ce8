import { shouldCompact } from './compaction.js';
import { decodeFrames, encodeFrame } from './journal-frame.js';
import { JSON_CODEC, StoreState } from './store-state.js';

/** What a restart would see: replay of the snapshot lines (the durable view). */
function reopen(state: StoreState): StoreState {
  const fresh = new StoreState();
  for (const r of decodeFrames(encodeFrame(state.snapshotLines())).records) fresh.replay(r);
  return fresh;
}

describe('store state', () => {
  it('serves puts and deletes at once, by namespace, oldest first', () => {
    const s = new StoreState();
    s.put('constructs', 'b', { id: 'b' });
    s.put('constructs', 'a', { id: 'a' });
    s.put('link', 'uplink', { allowedVlans: [] });
    s.put('constructs', 'b', { id: 'b', revision: 2 });
    expect([...s.values('constructs')]).toEqual([{ id: 'b', revision: 2 }, { id: 'a' }]);
    expect(s.size('constructs')).toBe(2);
    expect(s.delete('constructs', 'a')).toBe(true);
    expect(s.delete('constructs', 'a')).toBe(false);
    expect(s.get('constructs', 'a')).toBeUndefined();
    expect(s.get('link', 'uplink')).toEqual({ allowedVlans: [] });
    expect(s.liveEntries).toBe(2);
  });

  it('writes one record per key touched in a batch, with its value at flush time', () => {
    const s = new StoreState();
    s.put('constructs', 'a', 1);
    s.put('constructs', 'a', 2);
    s.put('constructs', 'b', 1);
    s.delete('constructs', 'b');
    expect(s.hasPending).toBe(true);
    const { lines } = s.beginFlush();
    expect(lines).toEqual(['["put","constructs","a",2]', '["del","constructs","b"]']);
    expect(s.hasPending).toBe(false);
    expect(s.isFlushing).toBe(true);
  });

  it('shows on disk only what a completed flush wrote', () => {
    const s = new StoreState();
    s.put('constructs', 'a', 1);
    s.beginFlush();
    s.endFlush(true);
    s.put('constructs', 'a', 2);
    s.put('constructs', 'b', 1);
    s.beginFlush(); // a=2, b=1 being written
    s.put('constructs', 'c', 1);
    s.delete('constructs', 'a');
    expect(s.durableEntries('constructs')).toEqual([['a', 1]]);
    s.endFlush(true);
    expect(s.durableEntries('constructs')).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    s.beginFlush();
    s.endFlush(true);
    expect(s.durableEntries('constructs')).toEqual([
      ['b', 1],
      ['c', 1],
    ]);
  });

  it('puts a failed flush back in front of later changes, keeping what is on disk', () => {
    const s = new StoreState();
    s.put('constructs', 'a', 1);
    s.beginFlush();
    s.endFlush(true);
    s.put('constructs', 'a', 2);
    s.beginFlush();
    s.put('constructs', 'a', 3);
    s.put('constructs', 'b', 1);
    s.endFlush(false);
    expect(s.durableEntries('constructs')).toEqual([['a', 1]]);
    expect(s.beginFlush().lines).toEqual(['["put","constructs","a",3]', '["put","constructs","b",1]']);
  });

  it('resolves whenDurable once the changes made so far are written, not before', async () => {
    const s = new StoreState();
    await expect(s.whenDurable()).resolves.toBeUndefined();
    s.put('k', 'a', 1);
    let done = false;
    void s.whenDurable().then(() => (done = true));
    s.beginFlush();
    s.endFlush(false);
    await Promise.resolve();
    expect(done).toBe(false);
    s.beginFlush();
    s.endFlush(true);
    await Promise.resolve();
    expect(done).toBe(true);
  });

  it('snapshots the durable state, which replays to the same', () => {
    const s = new StoreState();
    s.put('constructs', 'a', { id: 'a' });
    s.put('host', 'info', { hostId: 'h' });
    s.beginFlush();
    s.endFlush(true);
    s.put('constructs', 'pending', 1);
    const back = reopen(s);
    expect([...back.entries('constructs')]).toEqual([['a', { id: 'a' }]]);
    expect(back.get('host', 'info')).toEqual({ hostId: 'h' });
  });

  it('replays records through the codec, which may share values', () => {
    const shared = { id: 'x' };
    const s = new StoreState({ ...JSON_CODEC, revive: (ns, _k, v) => (ns === 'constructs' ? shared : v) });
    s.replay({ op: 'put', ns: 'constructs', key: 'x', value: { id: 'x' } });
    s.replay({ op: 'put', ns: 'other', key: 'y', value: 1 });
    s.replay({ op: 'del', ns: 'other', key: 'y' });
    expect(s.get('constructs', 'x')).toBe(shared);
    expect(s.has('other', 'y')).toBe(false);
  });
});

describe('compaction decision', () => {
  it('never compacts a small journal, compacts one that mostly repeats itself, and always past the size cap', () => {
    const policy = { minRecords: 100, ratio: 4, maxBytes: 1000 };
    expect(shouldCompact({ journalRecords: 99, journalBytes: 10, liveEntries: 1 }, policy)).toBe(false);
    expect(shouldCompact({ journalRecords: 300, journalBytes: 10, liveEntries: 100 }, policy)).toBe(false);
    expect(shouldCompact({ journalRecords: 400, journalBytes: 10, liveEntries: 100 }, policy)).toBe(true);
    expect(shouldCompact({ journalRecords: 1, journalBytes: 1000, liveEntries: 1 }, policy)).toBe(true);
    expect(shouldCompact({ journalRecords: 100, journalBytes: 10, liveEntries: 0 }, policy)).toBe(true);
  });
});

describe('store codec', () => {
  it('writes the records the codec encodes, shared bytes included', () => {
    const shared = Buffer.from('["put","constructs","x",{"id":"x"}]');
    const s = new StoreState({
      ...JSON_CODEC,
      encodePut: (ns, key, v) => (ns === 'constructs' ? shared : JSON_CODEC.encodePut(ns, key, v)),
    });
    s.put('constructs', 'x', { id: 'x' });
    s.put('link', 'uplink', { allowedVlans: [] });
    expect(s.beginFlush().lines).toEqual([shared, '["put","link","uplink",{"allowedVlans":[]}]']);
  });
});
