import { appendFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HostStore, JOURNAL_FILE, SNAPSHOT_FILE } from './host-store.js';
import { encodeFrame } from './journal-frame.js';
import { StoreCorruptError } from './store.errors.js';
import { tempDirPerTest } from '../../../../test/harness/temp-dir.js';

/** On a real filesystem: what survives a reopen (a restart) is what was flushed. */
describe('host store on disk', () => {
  const root = tempDirPerTest('host-store');

  const openStore = async (name = 'h1', options: Parameters<typeof HostStore.open>[1] = {}) =>
    (await HostStore.open(join(root(), name), options)).store;

  it('creates its directory and an empty journal, and reopens empty', async () => {
    const { store, report } = await HostStore.open(join(root(), 'new'));
    expect(report).toEqual({ records: 0, tornBytes: 0, created: true });
    expect((await stat(join(root(), 'new', JOURNAL_FILE))).size).toBe(0);
    expect(store.size('constructs')).toBe(0);
    expect((await HostStore.open(join(root(), 'new'))).report.created).toBe(false);
  });

  it('says a batch of changes made lazily may wait, and that it may not once a change made otherwise or a wait joins it', async () => {
    const calls: boolean[] = [];
    const store = await openStore('lazy', { onDirty: (lazy) => calls.push(lazy) });
    store.lazily(() => {
      store.put('compute', 'change:s1', { phase: 'proven' });
      store.delete('compute', 'absent');
      store.put('journal', '1', { type: 'ChangeProven' });
    });
    expect(calls).toEqual([true]);
    store.put('compute', 'switch:s1', { revision: 2 });
    store.put('compute', 'switch:s2', { revision: 1 });
    expect(calls).toEqual([true, false]);
    await store.flush();
    store.lazily(() => store.put('compute', 'change:s1', { phase: 'proven', revision: 2 }));
    expect(calls).toEqual([true, false, true]);
    const durable = store.whenDurable();
    expect(calls).toEqual([true, false, true, false]);
    await store.flush();
    await durable;
    const back = await openStore('lazy');
    expect(back.get('compute', 'change:s1')).toEqual({ phase: 'proven', revision: 2 });
    expect(back.get('journal', '1')).toEqual({ type: 'ChangeProven' });
  });

  it('writes many changes as one frame with one flush, and they survive a reopen', async () => {
    let dirty = 0;
    const store = await openStore('h1', { onDirty: () => dirty++ });
    for (let i = 0; i < 100; i++) store.put('constructs', `n${i}`, { id: `n${i}`, revision: 1 });
    store.delete('constructs', 'n0');
    expect(dirty).toBe(1); // once per batch: the commit takes whatever joins it
    const durable = store.whenDurable();
    await store.flush();
    await durable;
    const journal = await readFile(join(root(), 'h1', JOURNAL_FILE), 'utf8');
    expect(journal.match(/^F /gm)).toHaveLength(1);
    store.put('host', 'info', {});
    expect(dirty).toBe(2);
    await store.flush();
    const back = await openStore('h1');
    expect(back.size('constructs')).toBe(99);
    expect(back.get('constructs', 'n99')).toEqual({ id: 'n99', revision: 1 });
    expect([...back.values<{ id: string }>('constructs')][0].id).toBe('n1');
  });

  it('loses nothing acknowledged and keeps nothing half-written when the last write was torn', async () => {
    const store = await openStore();
    store.put('constructs', 'a', { v: 1 });
    await store.flush();
    const journal = join(root(), 'h1', JOURNAL_FILE);
    const whole = (await stat(journal)).size;
    const torn = encodeFrame(['["put","constructs","b",{"v":2}]']);
    await appendFile(journal, torn.subarray(0, torn.length - 5));
    const { store: back, report } = await HostStore.open(join(root(), 'h1'));
    expect(report.tornBytes).toBe(torn.length - 5);
    expect([...back.entries('constructs')]).toEqual([['a', { v: 1 }]]);
    expect((await stat(journal)).size).toBe(whole);
    // And it goes on appending after the cut.
    back.put('constructs', 'c', { v: 3 });
    await back.flush();
    expect([...(await openStore()).entries('constructs')].map(([k]) => k)).toEqual(['a', 'c']);
  });

  it('compacts into a snapshot and an empty journal, with the same state after a reopen', async () => {
    const store = await openStore('h1', { compaction: { minRecords: 10, ratio: 2, maxBytes: 1 << 30 } });
    for (let round = 1; round <= 5; round++) {
      for (let i = 0; i < 5; i++) store.put('constructs', `n${i}`, { id: `n${i}`, revision: round });
      await store.flush();
    }
    store.put('constructs', 'pending', { id: 'pending' });
    expect(await store.compactIfNeeded()).toBe(true);
    expect(store.stats.journalBytes).toBe(0);
    expect((await stat(join(root(), 'h1', JOURNAL_FILE))).size).toBe(0);
    await store.flush();
    const back = await openStore();
    expect(back.size('constructs')).toBe(6);
    expect(back.get('constructs', 'n3')).toEqual({ id: 'n3', revision: 5 });
  });

  it('replays a journal left behind by a crash between snapshot and truncation to the same state', async () => {
    const store = await openStore();
    store.put('constructs', 'a', 1);
    store.put('constructs', 'b', 1);
    await store.flush();
    store.delete('constructs', 'a');
    store.put('constructs', 'b', 2);
    await store.flush();
    const journal = await readFile(join(root(), 'h1', JOURNAL_FILE));
    await store.compact();
    await writeFile(join(root(), 'h1', JOURNAL_FILE), journal); // as if the truncation never happened
    expect([...(await openStore()).entries('constructs')]).toEqual([['b', 2]]);
  });

  it('refuses a damaged snapshot rather than guessing', async () => {
    const store = await openStore();
    store.put('constructs', 'a', 1);
    await store.flush();
    await store.compact();
    await appendFile(join(root(), 'h1', SNAPSHOT_FILE), 'garbage');
    await expect(HostStore.open(join(root(), 'h1'))).rejects.toBeInstanceOf(StoreCorruptError);
  });

  it('keeps a failed write for the next flush and reports the failure until then', async () => {
    const store = await openStore();
    store.put('constructs', 'a', 1);
    await rm(join(root(), 'h1'), { recursive: true });
    await writeFile(join(root(), 'h1'), 'not a directory');
    await expect(store.flush()).rejects.toThrow();
    expect(store.failure).not.toBeNull();
    expect(store.dirty).toBe(true);
    await rm(join(root(), 'h1'));
    const again = (await HostStore.open(join(root(), 'h1'))).store;
    expect(again.size('constructs')).toBe(0);
    await store.flush();
    expect(store.failure).toBeNull();
    expect((await openStore()).get('constructs', 'a')).toBe(1);
  });
});
