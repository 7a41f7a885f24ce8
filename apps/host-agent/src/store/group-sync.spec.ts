import { GroupSync } from './group-sync.js';

function harness(options: { minGroup?: number; syncfsError?: NodeJS.ErrnoException; failFd?: number } = {}) {
  const calls: string[] = [];
  const sync = new GroupSync({
    dir: '/data',
    minGroup: options.minGroup ?? 3,
    syncFilesystem: async (dir) => {
      calls.push(`syncfs ${dir}`);
      await new Promise((r) => setTimeout(r, 5));
      if (options.syncfsError) throw options.syncfsError;
    },
    fdatasync: async (fd) => {
      calls.push(`fdatasync ${fd}`);
      if (fd === options.failFd) throw new Error(`EIO on ${fd}`);
    },
  });
  return { sync, calls };
}

describe('GroupSync', () => {
  it('makes a lone store durable with its own fdatasync', async () => {
    const { sync, calls } = harness();
    await sync.sync(7);
    expect(calls).toEqual(['fdatasync 7']);
  });

  it('syncs stores that wait together with one filesystem sync, then checks each file', async () => {
    const { sync, calls } = harness();
    await Promise.all([1, 2, 3, 4].map((fd) => sync.sync(fd)));
    expect(calls).toEqual(['syncfs /data', 'fdatasync 1', 'fdatasync 2', 'fdatasync 3', 'fdatasync 4']);
  });

  it('gathers what arrives during a sync into the next group', async () => {
    const { sync, calls } = harness({ minGroup: 2 });
    const first = Promise.all([1, 2].map((fd) => sync.sync(fd)));
    await new Promise((r) => setTimeout(r, 1));
    const second = Promise.all([3, 4, 5].map((fd) => sync.sync(fd)));
    await Promise.all([first, second]);
    expect(calls).toEqual(['syncfs /data', 'fdatasync 1', 'fdatasync 2', 'syncfs /data', 'fdatasync 3', 'fdatasync 4', 'fdatasync 5']);
  });

  it('reports a failed file to its store only', async () => {
    const { sync } = harness({ failFd: 2 });
    const results = await Promise.allSettled([1, 2, 3].map((fd) => sync.sync(fd)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('falls back to one fdatasync per store when the filesystem sync fails, and stops trying a missing command', async () => {
    const missing = Object.assign(new Error('spawn sync ENOENT'), { code: 'ENOENT' });
    const { sync, calls } = harness({ syncfsError: missing });
    await Promise.all([1, 2, 3].map((fd) => sync.sync(fd)));
    await Promise.all([4, 5, 6].map((fd) => sync.sync(fd)));
    expect(calls).toEqual(['syncfs /data', 'fdatasync 1', 'fdatasync 2', 'fdatasync 3', 'fdatasync 4', 'fdatasync 5', 'fdatasync 6']);
  });
});
