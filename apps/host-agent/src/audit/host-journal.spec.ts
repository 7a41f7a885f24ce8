import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HostStore, JOURNAL_FILE } from '../store/host-store.js';
import { tempDirPerTest } from '../../../../test/harness/temp-dir.js';
import { HostJournal, JOURNAL_NS } from './host-journal.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** A host's own journal on a real store: paging, its bound, and what survives a reopen or a compaction. */
describe('host journal', () => {
  const root = tempDirPerTest('host-journal');
  let now = T0;
  const clock = { now: () => now };
  const openStore = async () => (await HostStore.open(join(root(), 'h1'))).store;
  const applied = (revision: number) => ({ type: 'SwitchRevisionApplied' as const, data: { switchId: 's1', revision, fromRevision: revision - 1, portsChanged: 1 } });
  const positions = (journal: HostJournal, after = 0, limit = 1000) => journal.page(after, limit).entries.map((e) => e.position);

  beforeEach(() => {
    now = T0;
  });

  it('pages oldest first: `next` is the last position given while more follow, null at the end', async () => {
    const journal = new HostJournal(await openStore(), clock);
    expect(journal.page(0, 10)).toEqual({ entries: [], next: null });
    for (let r = 1; r <= 25; r++) {
      journal.append(applied(r));
      now += 1000;
    }
    const first = journal.page(0, 10);
    expect(first.entries.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first.next).toBe(10);
    expect(first.entries[0]).toEqual({
      position: 1,
      type: 'SwitchRevisionApplied',
      data: { switchId: 's1', revision: 1, fromRevision: 0, portsChanged: 1 },
      recordedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(journal.page(10, 10).next).toBe(20);
    const last = journal.page(20, 10);
    expect(last.entries.map((e) => e.position)).toEqual([21, 22, 23, 24, 25]);
    expect(last.next).toBeNull();
    expect(journal.page(25, 10)).toEqual({ entries: [], next: null });
    expect(journal.page(1000, 10)).toEqual({ entries: [], next: null });
    // A page that ends exactly at the newest entry says nothing more is recorded.
    expect(journal.page(15, 10).next).toBeNull();
  });

  it('keeps only the newest entries beyond its capacity; positions go on growing', async () => {
    const store = await openStore();
    const journal = new HostJournal(store, clock, 5);
    for (let r = 1; r <= 12; r++) journal.append(applied(r));
    expect(store.size(JOURNAL_NS)).toBe(5);
    expect(journal.position).toBe(12);
    expect(positions(journal)).toEqual([8, 9, 10, 11, 12]);
    // An `after` older than what is kept starts at the oldest kept.
    expect(positions(journal, 3, 2)).toEqual([8, 9]);
    expect(journal.page(3, 2).next).toBe(9);
  });

  it('writes each entry in the batch of the change it describes: one frame, one flush', async () => {
    let dirty = 0;
    const { store } = await HostStore.open(join(root(), 'h1'), { onDirty: () => dirty++ });
    const journal = new HostJournal(store, clock);
    store.put('compute', 'switch:s1', { id: 's1', revision: 1 });
    journal.append(applied(1));
    expect(dirty).toBe(1);
    await store.flush();
    const text = await readFile(join(root(), 'h1', JOURNAL_FILE), 'utf8');
    expect(text.match(/^F /gm)).toHaveLength(1);
    expect(text).toContain('"journal","1"');
  });

  it('serves the same entries after a reopen and after a compaction, and goes on numbering from the newest', async () => {
    const store = await openStore();
    const journal = new HostJournal(store, clock, 8);
    for (let r = 1; r <= 6; r++) journal.append(applied(r));
    await store.flush();
    await store.compact();
    for (let r = 7; r <= 10; r++) journal.append(applied(r));
    await store.flush();
    const before = journal.page(0, 1000);
    expect(before.entries.map((e) => e.position)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);

    const reopened = await openStore();
    const back = new HostJournal(reopened, clock, 8);
    expect(back.page(0, 1000)).toEqual(before);
    back.append(applied(11));
    expect(positions(back)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    await reopened.flush();
    await reopened.compact();
    const again = new HostJournal(await openStore(), clock, 8);
    expect(again.page(0, 1000)).toEqual(back.page(0, 1000));
    expect(again.position).toBe(11);
  });

  it('refuses a capacity below one entry', async () => {
    const store = await openStore();
    expect(() => new HostJournal(store, clock, 0)).toThrow(RangeError);
  });
});
