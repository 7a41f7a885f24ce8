/** What compaction is decided on: sizes the store keeps as it writes. */
export interface JournalStats {
  /** Records in the journal since the last snapshot. */
  journalRecords: number;
  journalBytes: number;
  /** Live keys (what a snapshot would hold). */
  liveEntries: number;
}

export interface CompactionPolicy {
  /** Below this many journal records, never compact: a small journal replays in no time. */
  minRecords: number;
  /** Compact once the journal holds this many times more records than there are live keys. */
  ratio: number;
  /** Compact whatever the ratio once the journal is this large. */
  maxBytes: number;
}

export const DEFAULT_COMPACTION: CompactionPolicy = { minRecords: 2000, ratio: 4, maxBytes: 64 * 1024 * 1024 };

/**
 * A snapshot costs a write of every live key, so it pays off once the journal mostly repeats
 * itself (the same keys rewritten), and is forced once replay would read too much.
 */
export function shouldCompact(stats: JournalStats, policy: CompactionPolicy = DEFAULT_COMPACTION): boolean {
  if (stats.journalBytes >= policy.maxBytes) return true;
  if (stats.journalRecords < policy.minRecords) return false;
  return stats.journalRecords >= policy.ratio * Math.max(1, stats.liveEntries);
}
