import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DEFAULT_COMPACTION, type CompactionPolicy, shouldCompact } from './compaction.js';
import { closeFd, datasync, DSYNC_APPEND, openFd, syncDir, truncate, withFd, writeAll } from './fs-io.js';
import { decodeFrames, encodeFrame } from './journal-frame.js';
import type { StoreRecord } from './store-record.js';
import type { KeyValueStore } from './key-value-store.js';
import type { ReplayCache } from './replay-cache.js';
import { StoreCorruptError } from './store.errors.js';
import { JSON_CODEC, StoreState, type ValueCodec } from './store-state.js';
import type { JournalHolder, OpenJournals } from './open-journals.js';

export const JOURNAL_FILE = 'journal.log';
export const SNAPSHOT_FILE = 'snapshot.log';
const SNAPSHOT_TMP = 'snapshot.log.tmp';
/** Records per snapshot frame: bounds the memory one frame takes to write and to read. */
const SNAPSHOT_FRAME_RECORDS = 1000;

export interface HostStoreOptions {
  codec?: ValueCodec;
  compaction?: CompactionPolicy;
  /**
   * Called when a change waits to be written (a group commit should be scheduled): `lazy` when
   * nothing waits for it (see `lazily`), and again without once something does.
   */
  onDirty?: (lazy: boolean) => void;
  /** Shared by stores opened together: identical records parsed once. */
  replayCache?: ReplayCache;
  /** Shared by the stores of a process: bounds the journal descriptors they keep open. */
  openJournals?: OpenJournals;
}

export interface OpenReport {
  records: number;
  /** Bytes cut off the journal's end: a torn last write. */
  tornBytes: number;
  created: boolean;
}

/**
 * One host's durable key/value store in its own directory: an append-only journal of framed
 * records (one frame per group commit, written through a descriptor opened O_DSYNC, or written then
 * fdatasync'd where there is none, before anyone is told it is stored) and a snapshot that
 * compaction writes aside, syncs and renames into place before the journal is emptied. Opening
 * replays snapshot then journal and cuts a torn tail.
 */
export class HostStore implements KeyValueStore, JournalHolder {
  private readonly state: StoreState;
  private journalBytes = 0;
  private journalRecords = 0;
  private lastError: Error | null = null;
  private compacting = false;
  /**
   * The journal, kept open for appending: opening and closing it per flush cost more than the
   * write. `openJournals` closes the least recently written ones beyond the process's bound.
   */
  private journalFd: Promise<number> | null = null;
  /** Inside `lazily`. */
  private lazyDepth = 0;
  /** The pending batch has a change made otherwise than lazily (or someone waits for it). */
  private urgent = false;

  private constructor(
    readonly dir: string,
    private readonly options: HostStoreOptions,
  ) {
    this.state = new StoreState(options.codec ?? JSON_CODEC);
  }

  static async open(dir: string, options: HostStoreOptions = {}): Promise<{ store: HostStore; report: OpenReport }> {
    const store = new HostStore(dir, options);
    const report = await store.recover();
    return { store, report };
  }

  get<T>(ns: string, key: string): T | undefined {
    return this.state.get<T>(ns, key);
  }
  has(ns: string, key: string): boolean {
    return this.state.has(ns, key);
  }
  size(ns: string): number {
    return this.state.size(ns);
  }
  values<T>(ns: string): IterableIterator<T> {
    return this.state.values<T>(ns);
  }
  entries<T>(ns: string): IterableIterator<[string, T]> {
    return this.state.entries<T>(ns);
  }
  durableEntries<T>(ns: string): Array<[string, T]> {
    return this.state.durableEntries<T>(ns);
  }

  put(ns: string, key: string, value: unknown): void {
    const wasClean = !this.state.hasPending;
    this.state.put(ns, key, value);
    this.dirtied(wasClean);
  }

  delete(ns: string, key: string): boolean {
    const wasClean = !this.state.hasPending;
    const deleted = this.state.delete(ns, key);
    if (deleted) this.dirtied(wasClean);
    return deleted;
  }

  /**
   * Runs `change`, whose changes nobody waits for (a proof's record: were it lost in a crash, the
   * change would simply be proven again): they may be written later, behind changes that are
   * waited for. A change made otherwise, or a `whenDurable`, sends the whole batch with the next
   * group commit.
   */
  lazily<T>(change: () => T): T {
    this.lazyDepth++;
    try {
      return change();
    } finally {
      this.lazyDepth--;
    }
  }

  whenDurable(): Promise<void> {
    if (this.state.hasPending && !this.urgent) {
      this.urgent = true;
      this.options.onDirty?.(false);
    }
    return this.state.whenDurable();
  }

  /**
   * Once per batch (the commit that writes it picks up whatever joins the batch meanwhile), and once
   * more when a batch begun lazily gets a change made otherwise.
   */
  private dirtied(wasClean: boolean): void {
    if (wasClean) this.urgent = false;
    if (this.lazyDepth > 0) {
      if (wasClean) this.options.onDirty?.(true);
    } else if (!this.urgent) {
      this.urgent = true;
      this.options.onDirty?.(false);
    }
  }

  /** Something is waiting to be written. */
  get dirty(): boolean {
    return this.state.hasPending;
  }

  /** A write is under way. */
  get flushing(): boolean {
    return this.state.isFlushing;
  }

  /** The last write failed and its changes wait to be written again. */
  get failure(): Error | null {
    return this.lastError;
  }

  get stats(): { journalBytes: number; journalRecords: number; liveEntries: number } {
    return { journalBytes: this.journalBytes, journalRecords: this.journalRecords, liveEntries: this.state.liveEntries };
  }

  /**
   * Group commit: writes every change made since the last flush as one frame, with one durable
   * write (O_DSYNC; a write and an fdatasync without it). One flush at a time per store; a failed one keeps its changes for the next.
   */
  async flush(): Promise<void> {
    if (this.state.isFlushing || this.compacting || !this.state.hasPending) return;
    const { frame, records } = this.beginFlush();
    try {
      await this.append(frame);
      this.journalBytes += frame.length;
      this.journalRecords += records;
      this.lastError = null;
      this.state.endFlush(true);
    } catch (err) {
      this.lastError = err as Error;
      this.state.endFlush(false);
      throw err;
    }
  }

  /**
   * The pending batch as one frame. The records' lines live only in here: thousands of hosts
   * waiting on their writes hold their frames, not the lines' strings as well.
   */
  private beginFlush(): { frame: Buffer; records: number } {
    const { lines } = this.state.beginFlush();
    return { frame: encodeFrame(lines), records: lines.length };
  }

  /** Writes a snapshot and empties the journal when the journal has grown past what it is worth. */
  async compactIfNeeded(): Promise<boolean> {
    if (!shouldCompact(this.stats, this.options.compaction ?? DEFAULT_COMPACTION)) return false;
    await this.compact();
    return true;
  }

  async compact(): Promise<void> {
    if (this.state.isFlushing || this.compacting) return;
    this.compacting = true;
    try {
      // Only what is on disk goes in: changes still pending are written to the emptied journal next.
      const lines = this.state.snapshotLines();
      const tmp = join(this.dir, SNAPSHOT_TMP);
      await withFd(tmp, 'w', async (fd) => {
        for (let i = 0; i < lines.length; i += SNAPSHOT_FRAME_RECORDS) {
          await writeAll(fd, encodeFrame(lines.slice(i, i + SNAPSHOT_FRAME_RECORDS)));
        }
        await datasync(fd);
      });
      await rename(tmp, join(this.dir, SNAPSHOT_FILE));
      await syncDir(this.dir);
      // A crash before this truncation replays the old journal over the new snapshot: same state.
      const fd = await this.journal();
      await truncate(fd, 0);
      await datasync(fd);
      this.journalBytes = 0;
      this.journalRecords = 0;
    } finally {
      this.compacting = false;
    }
  }

  private async append(frame: Buffer): Promise<void> {
    const fd = await this.journal();
    try {
      // Opened with O_DSYNC (where there is one), the write is durable when it returns.
      await writeAll(fd, frame);
      if (DSYNC_APPEND === null) await datasync(fd);
    } catch (err) {
      // A partial frame would hide every later one from recovery: cut it before trying again.
      await truncate(fd, this.journalBytes).catch(() => undefined);
      throw err;
    }
  }

  /** A flush or a compaction is under way: the journal's descriptor is in use. */
  get writing(): boolean {
    return this.state.isFlushing || this.compacting;
  }

  private journal(): Promise<number> {
    this.options.openJournals?.used(this);
    if (!this.journalFd) {
      const opening = openFd(join(this.dir, JOURNAL_FILE), DSYNC_APPEND ?? 'a');
      this.journalFd = opening;
      // A failed open is tried again by the next flush.
      opening.catch(() => {
        if (this.journalFd === opening) this.journalFd = null;
      });
    }
    return this.journalFd;
  }

  /** Releases the journal's descriptor; the store can still be read, and reopens it to write. */
  async close(): Promise<void> {
    const fd = this.journalFd;
    this.journalFd = null;
    this.options.openJournals?.closed(this);
    if (fd !== null) await closeFd(await fd);
  }

  private parser(): ((payload: string) => StoreRecord[]) | undefined {
    const cache = this.options.replayCache;
    return cache ? (payload) => cache.parse(payload) : undefined;
  }

  private async recover(): Promise<OpenReport> {
    const created = (await mkdir(this.dir, { recursive: true })) !== undefined;
    if (created) await syncDir(dirname(this.dir));
    await rm(join(this.dir, SNAPSHOT_TMP), { force: true });
    let records = 0;
    const snapshotPath = join(this.dir, SNAPSHOT_FILE);
    const snapshot = await readIfExists(snapshotPath);
    if (snapshot) {
      const decoded = decodeFrames(snapshot, this.parser());
      if (decoded.trailingBytes > 0)
        throw new StoreCorruptError(snapshotPath, `${decoded.trailingBytes} bytes after the last whole frame`);
      for (const record of decoded.records) this.state.replay(record);
      records += decoded.records.length;
    }
    const journalPath = join(this.dir, JOURNAL_FILE);
    const journal = await readIfExists(journalPath);
    let tornBytes = 0;
    if (journal) {
      const decoded = decodeFrames(journal, this.parser());
      for (const record of decoded.records) this.state.replay(record);
      records += decoded.records.length;
      this.journalBytes = decoded.validLength;
      this.journalRecords = decoded.records.length;
      tornBytes = decoded.trailingBytes;
      if (tornBytes > 0) {
        await withFd(journalPath, 'r+', async (fd) => {
          await truncate(fd, decoded.validLength);
          await datasync(fd);
        });
      }
    } else {
      await withFd(journalPath, 'a', (fd) => datasync(fd));
      await syncDir(this.dir);
    }
    return { records, tornBytes, created };
  }
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
