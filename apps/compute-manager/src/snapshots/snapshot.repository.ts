import type { SnapshotDocument } from './snapshot-document.js';

/** A stored snapshot as listed. */
export interface SnapshotSummary {
  id: string;
  switchId: string;
  revision: number;
  createdAt: string;
  /** Where the document is, outside the compute manager's database. */
  location: string;
}

/** A stored object as the storage lists it: its name, and what was said of it when stored (absent for an object put by anything else). */
export interface StoredSnapshot {
  id: string;
  summary?: SnapshotSummary;
}

/** Where snapshots live: storage of their own, independent of the compute manager's database. */
export interface SnapshotRepository {
  save(doc: SnapshotDocument): Promise<SnapshotSummary>;
  /** The stored bytes, unread; null when there is no such snapshot. */
  read(id: string): Promise<Uint8Array | null>;
  list(): Promise<StoredSnapshot[]>;
  /** Where the snapshot `id` is stored. */
  location(id: string): string;
}

export const SNAPSHOT_REPOSITORY = Symbol('SNAPSHOT_REPOSITORY');
