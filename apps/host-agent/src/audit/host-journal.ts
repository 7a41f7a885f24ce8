import type { Clock } from '../common/clock.js';
import type { KeyValueStore } from '../store/key-value-store.js';
import type { JournalEntry, JournalRecord, JournalWriter } from './journal-entry.js';

/** The store namespace of a host's journal: key = position (decimal), value = a stored entry. */
export const JOURNAL_NS = 'journal';
/**
 * Entries a host keeps: beyond this the oldest go (positions go on growing). 10,000 small records
 * (~150 bytes each) are ~1.5 MB per host at most, and only a host with that much history holds them.
 */
export const JOURNAL_CAPACITY = 10_000;

/** A journal entry as the store keeps it. */
export interface StoredJournalEntry {
  type: JournalEntry['type'];
  data: JournalEntry['data'];
  /** Epoch milliseconds: shorter on disk than an ISO time. */
  at: number;
}

export interface JournalPage {
  entries: JournalRecord[];
  /** The value to pass as `after` for the following page; null when nothing more is recorded yet. */
  next: number | null;
}

/**
 * A host's own journal, kept in its store: each entry is one put in the same batch (the same group
 * commit, the same fdatasync) as the change it describes, so it is durable exactly when that change
 * is, survives compaction as any live key does, and costs no write of its own. Positions are
 * consecutive from 1; only the newest `capacity` entries are kept.
 */
export class HostJournal implements JournalWriter {
  /** Position of the oldest entry kept, and of the newest (first > last: none). */
  private first = 1;
  private last = 0;

  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    private readonly capacity = JOURNAL_CAPACITY,
  ) {
    if (capacity < 1) throw new RangeError('a journal keeps at least one entry');
    let min = Infinity;
    let max = 0;
    for (const [key] of store.entries(JOURNAL_NS)) {
      const position = Number(key);
      if (position < min) min = position;
      if (position > max) max = position;
    }
    if (max > 0) {
      this.first = min;
      this.last = max;
    }
  }

  /** Position of the newest entry (0: none yet). */
  get position(): number {
    return this.last;
  }

  get size(): number {
    return this.last - this.first + 1;
  }

  append(entry: JournalEntry): void {
    const position = ++this.last;
    const stored: StoredJournalEntry = { type: entry.type, data: entry.data, at: this.clock.now() };
    this.store.put(JOURNAL_NS, String(position), stored);
    while (this.size > this.capacity) this.store.delete(JOURNAL_NS, String(this.first++));
  }

  /** Up to `limit` entries after position `after`, oldest first (entries no longer kept are skipped). */
  page(after: number, limit: number): JournalPage {
    const entries: JournalRecord[] = [];
    const from = Math.max(after + 1, this.first);
    const to = Math.min(this.last, from + limit - 1);
    for (let position = from; position <= to; position++) {
      const stored = this.store.get<StoredJournalEntry>(JOURNAL_NS, String(position));
      if (stored) entries.push({ position, type: stored.type, data: stored.data, recordedAt: new Date(stored.at).toISOString() });
    }
    return { entries, next: to < this.last && to >= from ? to : null };
  }
}
