import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HostStore } from './host-store.js';
import { defaultJournalLimit, OpenJournals } from './open-journals.js';
import { tempDirPerTest } from '../../../../test/harness/temp-dir.js';

describe('OpenJournals', () => {
  const dir = tempDirPerTest('open-journals');

  it('keeps at most `max` journals open, closing the least recently written, which write again after', async () => {
    const journals = new OpenJournals(2);
    const stores: HostStore[] = [];
    for (let i = 0; i < 3; i++) stores.push((await HostStore.open(join(dir(), `h${i}`), { openJournals: journals })).store);
    for (const [i, store] of stores.entries()) {
      store.put('ns', 'k', { round: 1, i });
      await store.flush();
    }
    expect(journals.size).toBe(2);
    // The first store's journal was closed: it reopens it to write, and nothing is lost.
    stores[0].put('ns', 'k', { round: 2, i: 0 });
    await stores[0].flush();
    expect(journals.size).toBe(2);
    const reopened = (await HostStore.open(join(dir(), 'h0'))).store;
    expect(reopened.get('ns', 'k')).toEqual({ round: 2, i: 0 });
    for (const store of stores) await store.close();
    expect(journals.size).toBe(0);
  });

  it('never closes a journal being written', () => {
    const journals = new OpenJournals(1);
    const closed: string[] = [];
    const holder = (name: string, writing: boolean) => ({ writing, close: async () => void closed.push(name) });
    const busy = holder('busy', true);
    journals.used(busy);
    journals.used(holder('next', true));
    expect(closed).toEqual([]);
    expect(journals.size).toBe(2);
  });

  it('takes half the soft limit of open files', async () => {
    const limits = join(dir(), 'limits');
    await writeFile(
      limits,
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            4096                 524288               files\n',
    );
    expect(defaultJournalLimit(limits)).toBe(2048);
    expect(defaultJournalLimit(join(dir(), 'missing'))).toBe(512);
  });
});
