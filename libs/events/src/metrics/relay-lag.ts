import type { LogCursor } from '../store/event.js';

type Recorded = Pick<LogCursor, 'transactionId' | 'position'>;

/** (transaction, position) order, the log's global order; transaction ids are xid8 (decimal strings). */
export function compareCursors(a: Recorded, b: Recorded): number {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.position - b.position;
}

/**
 * How far the relay is behind the events this process recorded: the recorded events past the
 * relay's checkpoint. Everything at or before the checkpoint is published (the relay reads below
 * the horizon of running transactions, so nothing lands behind it later).
 */
export class RelayLag {
  private pending: Recorded[] = [];
  private cursor: Recorded | null = null;
  private publishedAtMs: number | null = null;

  /** Events of a committed transaction. */
  recorded(events: readonly Recorded[]): void {
    for (const e of events) {
      if (this.cursor && compareCursors(e, this.cursor) <= 0) continue;
      this.pending.push({ transactionId: e.transactionId, position: e.position });
    }
  }

  /** The relay's checkpoint moved to `cursor` at `atMs` (unix milliseconds). */
  progressed(cursor: Recorded, atMs: number): void {
    if (this.cursor && compareCursors(cursor, this.cursor) <= 0) return;
    this.cursor = { transactionId: cursor.transactionId, position: cursor.position };
    this.publishedAtMs = atMs;
    if (this.pending.length) this.pending = this.pending.filter((e) => compareCursors(e, cursor) > 0);
  }

  /** Events recorded here and not yet published. */
  get events(): number {
    return this.pending.length;
  }

  /** When the relay last published (unix milliseconds), or null while it has not since this process started. */
  get lastPublishedAtMs(): number | null {
    return this.publishedAtMs;
  }
}
