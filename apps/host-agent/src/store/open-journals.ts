import { readFileSync } from 'node:fs';

/** A store whose journal descriptor may be closed while it does not write. */
export interface JournalHolder {
  /** True while the store writes (a flush or a compaction): its descriptor must stay open. */
  readonly writing: boolean;
  /** Closes the descriptor; the next write opens it again. */
  close(): Promise<void>;
}

/**
 * Bounds the journal descriptors the stores of one process keep open: the least recently written
 * idle ones are closed beyond `max` (they reopen on their next write). Keeping them open is what makes
 * a write cheap; the bound is what keeps 10,000 simulated hosts under the process's descriptor limit.
 */
export class OpenJournals {
  /** Insertion order is recency: a store is moved to the end each time it writes. */
  private readonly open = new Map<JournalHolder, true>();

  constructor(readonly max: number) {}

  /** `holder` writes now with an open journal. */
  used(holder: JournalHolder): void {
    this.open.delete(holder);
    this.open.set(holder, true);
    if (this.open.size <= this.max) return;
    for (const candidate of this.open.keys()) {
      if (this.open.size <= this.max) break;
      if (candidate === holder || candidate.writing) continue;
      this.open.delete(candidate);
      void candidate.close().catch(() => undefined);
    }
  }

  /** `holder` closed its journal itself. */
  closed(holder: JournalHolder): void {
    this.open.delete(holder);
  }

  get size(): number {
    return this.open.size;
  }
}

/** Half the process's soft limit of open files (sockets and the rest need the other half). */
export function defaultJournalLimit(limitsFile = '/proc/self/limits'): number {
  try {
    const line = readFileSync(limitsFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isFinite(soft) && soft > 0) return Math.max(64, Math.floor(soft / 2));
  } catch {
    // Not Linux: the usual default soft limit.
  }
  return 512;
}
