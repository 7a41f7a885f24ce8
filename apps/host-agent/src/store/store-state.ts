import type { EncodedRecord } from './journal-frame.js';
import { encodeDelete, encodePut, type StoreRecord } from './store-record.js';

/**
 * Turns values into records and back: lets stores share one encoding, or one object, of the same
 * value (thousands of hosts writing the same construct write the same bytes).
 */
export interface ValueCodec {
  /** The put record of `value` under `ns`/`key` (`encodePut(ns, key, json)`), possibly shared bytes. */
  encodePut(ns: string, key: string, value: unknown): EncodedRecord;
  /** Called on each value read back from disk; may return an equal value shared with other stores. */
  revive(ns: string, key: string, value: unknown): unknown;
}

export const JSON_CODEC: ValueCodec = {
  encodePut: (ns, key, value) => encodePut(ns, key, JSON.stringify(value)),
  revive: (_ns, _key, value) => value,
};

const ABSENT = Symbol('absent');
type Previous = unknown;

/**
 * The keys a batch touched, each with its value before the batch (ABSENT when it had none). The
 * values themselves are read when the batch is written: a batch costs one map entry per key, not
 * an encoded record, however long it waits.
 */
interface Batch {
  touched: Map<string, Map<string, Previous>>;
  size: number;
  waiters: Array<() => void>;
}

const newBatch = (): Batch => ({ touched: new Map(), size: 0, waiters: [] });

export interface FlushPayload {
  lines: EncodedRecord[];
}

/**
 * The in-memory side of a host store, without I/O: namespaced key/value maps (insertion order is
 * kept, so lists come oldest first), the batch of changes not yet written (`pending`) and the one
 * being written (`flushing`). Reads see every change at once; `durableEntries` sees only what is
 * on disk, which is what a host may report.
 */
export class StoreState {
  private readonly data = new Map<string, Map<string, unknown>>();
  private pending: Batch = newBatch();
  private flushing: Batch | null = null;

  constructor(private readonly codec: ValueCodec = JSON_CODEC) {}

  /** Replays a record read back from disk: not part of any batch. */
  replay(record: StoreRecord): void {
    if (record.op === 'put') this.space(record.ns).set(record.key, this.codec.revive(record.ns, record.key, record.value));
    else this.data.get(record.ns)?.delete(record.key);
  }

  get<T>(ns: string, key: string): T | undefined {
    return this.data.get(ns)?.get(key) as T | undefined;
  }

  has(ns: string, key: string): boolean {
    return this.data.get(ns)?.has(key) ?? false;
  }

  size(ns: string): number {
    return this.data.get(ns)?.size ?? 0;
  }

  /** Every live key of every namespace. */
  get liveEntries(): number {
    let n = 0;
    for (const space of this.data.values()) n += space.size;
    return n;
  }

  values<T>(ns: string): IterableIterator<T> {
    return (this.data.get(ns) ?? new Map<string, T>()).values() as IterableIterator<T>;
  }

  entries<T>(ns: string): IterableIterator<[string, T]> {
    return (this.data.get(ns) ?? new Map<string, T>()).entries() as IterableIterator<[string, T]>;
  }

  put(ns: string, key: string, value: unknown): void {
    const space = this.space(ns);
    this.touch(ns, key, space);
    space.set(key, value);
  }

  delete(ns: string, key: string): boolean {
    const space = this.data.get(ns);
    if (!space?.has(key)) return false;
    this.touch(ns, key, space);
    space.delete(key);
    return true;
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  get isFlushing(): boolean {
    return this.flushing !== null;
  }

  /** Resolves once every change made so far is on disk. */
  whenDurable(): Promise<void> {
    const batch = this.pending.size > 0 ? this.pending : this.flushing;
    if (!batch) return Promise.resolve();
    return new Promise((resolve) => batch.waiters.push(resolve));
  }

  /** Moves the pending batch to `flushing` and encodes its records from the current values. */
  beginFlush(): FlushPayload {
    if (this.flushing) throw new Error('a flush is already in progress');
    const batch = this.pending;
    this.pending = newBatch();
    this.flushing = batch;
    const lines: EncodedRecord[] = [];
    for (const [ns, keys] of batch.touched) {
      const space = this.data.get(ns);
      for (const key of keys.keys()) {
        const value = space?.get(key);
        lines.push(value === undefined ? encodeDelete(ns, key) : this.codec.encodePut(ns, key, value));
      }
    }
    return { lines };
  }

  /**
   * Ends the flush. On success its changes are durable and its waiters run. On failure they go
   * back in front of what was changed since, to be written with it next time.
   */
  endFlush(ok: boolean): void {
    const batch = this.flushing;
    if (!batch) return;
    this.flushing = null;
    if (ok) {
      for (const wake of batch.waiters) wake();
      return;
    }
    const later = this.pending;
    for (const [ns, keys] of later.touched) {
      const earlier = batch.touched.get(ns) ?? new Map<string, Previous>();
      // The older batch knows the value on disk: it wins for keys both touched.
      for (const [key, previous] of keys) if (!earlier.has(key)) earlier.set(key, previous);
      batch.touched.set(ns, earlier);
    }
    batch.size = countTouched(batch.touched);
    batch.waiters.push(...later.waiters);
    this.pending = batch;
  }

  /** The namespace as it is on disk: what the last completed flush left. */
  durableEntries<T>(ns: string): Array<[string, T]> {
    const flushing = this.flushing?.touched.get(ns);
    const pending = this.pending.touched.get(ns);
    const space = this.data.get(ns);
    if (!flushing && !pending) return [...(space ?? new Map<string, T>()).entries()] as Array<[string, T]>;
    const out: Array<[string, T]> = [];
    const onDisk = (key: string, current: unknown): unknown =>
      flushing?.has(key) ? flushing.get(key) : pending?.has(key) ? pending.get(key) : current;
    for (const [key, value] of space ?? []) {
      const v = onDisk(key, value);
      if (v !== ABSENT) out.push([key, v as T]);
    }
    // Keys deleted since the last flush are still on disk.
    for (const touched of [flushing, pending]) {
      for (const [key, previous] of touched ?? []) {
        if (space?.has(key) || previous === ABSENT) continue;
        if (touched === pending && flushing?.has(key)) continue;
        out.push([key, previous as T]);
      }
    }
    return out;
  }

  /** Names of the namespaces on disk or in memory. */
  namespaces(): string[] {
    return [...new Set([...this.data.keys(), ...(this.flushing?.touched.keys() ?? []), ...this.pending.touched.keys()])];
  }

  /** Records that rebuild the durable state: the content of a snapshot. */
  snapshotLines(): EncodedRecord[] {
    const lines: EncodedRecord[] = [];
    for (const ns of this.namespaces()) {
      for (const [key, value] of this.durableEntries(ns)) lines.push(this.codec.encodePut(ns, key, value));
    }
    return lines;
  }

  private space(ns: string): Map<string, unknown> {
    let space = this.data.get(ns);
    if (!space) {
      space = new Map();
      this.data.set(ns, space);
    }
    return space;
  }

  private touch(ns: string, key: string, space: Map<string, unknown>): void {
    let keys = this.pending.touched.get(ns);
    if (!keys) {
      keys = new Map();
      this.pending.touched.set(ns, keys);
    }
    if (keys.has(key)) return;
    // Values are JSON, never undefined: one lookup tells both whether and what.
    const previous = space.get(key);
    keys.set(key, previous === undefined ? ABSENT : previous);
    this.pending.size++;
  }
}

function countTouched(touched: Map<string, Map<string, Previous>>): number {
  let n = 0;
  for (const keys of touched.values()) n += keys.size;
  return n;
}
