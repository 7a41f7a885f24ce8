/**
 * What a host keeps across restarts, by namespace (`constructs`, `link`, later the compute switch's
 * running and saved config, opaque data, module registrations). Reads and writes are synchronous
 * on memory; `whenDurable` resolves once everything written so far is on disk.
 */
export interface KeyValueStore {
  get<T>(ns: string, key: string): T | undefined;
  has(ns: string, key: string): boolean;
  size(ns: string): number;
  /** Oldest first. */
  values<T>(ns: string): IterableIterator<T>;
  entries<T>(ns: string): IterableIterator<[string, T]>;
  put(ns: string, key: string, value: unknown): void;
  delete(ns: string, key: string): boolean;
  whenDurable(): Promise<void>;
  /** The namespace as it is on disk (what a host may report as held). */
  durableEntries<T>(ns: string): Array<[string, T]>;
}
