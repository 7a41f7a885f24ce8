import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { datasync } from './fs-io.js';

/** Makes what was written to a store's file durable. */
export interface Durability {
  sync(fd: number): Promise<void>;
}

/** One fdatasync per store: what a single host does. */
export const PER_FILE_SYNC: Durability = { sync: (fd) => datasync(fd) };

export interface GroupSyncOptions {
  /** Any path on the filesystem that holds the stores. */
  dir: string;
  /** Below this many stores waiting together, each is fdatasync'd on its own. */
  minGroup: number;
  /** Flushes the whole filesystem holding `dir` (syncfs(2)). */
  syncFilesystem?: (dir: string) => Promise<void>;
  fdatasync?: (fd: number) => Promise<void>;
  onFallback?: (err: unknown) => void;
}

const run = promisify(execFile);
/** coreutils `sync --file-system`: one syncfs(2) of the filesystem holding `dir`. */
export const syncfsCommand = async (dir: string): Promise<void> => {
  await run('sync', ['-f', dir]);
};

/**
 * Group commit across the stores of one process. Each store fdatasync'd on its own costs one
 * filesystem journal commit and one disk cache flush per store: 2,000 hosts of one push spend a
 * third of a second there. Stores that wait together are made durable by one syncfs(2) of their
 * filesystem instead, then each is fdatasync'd again: by then it has nothing left to write (cheap),
 * and that call is what reports a write-back error of that very file, whenever it happened since the
 * store opened it. A group is whatever waits while the previous one is synced: no timer, no added
 * latency for a lone store, which simply gets its own fdatasync.
 */
export class GroupSync implements Durability {
  private waiting: Array<{ fd: number; resolve: () => void; reject: (err: unknown) => void }> = [];
  private busy = false;
  private filesystemSync: boolean;
  private readonly syncFilesystem: (dir: string) => Promise<void>;
  private readonly fdatasync: (fd: number) => Promise<void>;

  constructor(private readonly options: GroupSyncOptions) {
    this.syncFilesystem = options.syncFilesystem ?? syncfsCommand;
    this.fdatasync = options.fdatasync ?? datasync;
    this.filesystemSync = true;
  }

  sync(fd: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ fd, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        // Whatever else is written in this turn of the event loop joins the group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      if (group.length >= this.options.minGroup && this.filesystemSync) {
        try {
          await this.syncFilesystem(this.options.dir);
        } catch (err) {
          // Each store is synced on its own below: correct, only slower. Not tried again if the
          // command is missing.
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.filesystemSync = false;
          this.options.onFallback?.(err);
        }
      }
      await Promise.all(
        group.map(({ fd, resolve, reject }) =>
          this.fdatasync(fd).then(resolve, reject),
        ),
      );
    }
    this.busy = false;
  }
}
