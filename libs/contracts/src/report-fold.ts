import type { HeldNetwork } from './host-messages.js';

/**
 * What a host holds after a report, by network id → revision: a report with `held` states the
 * complete set; `upserted` and `removed` change it. Pure; shared by every consumer of host reports.
 */
export function heldAfterReport(
  before: Readonly<Record<string, number>>,
  report: {
    held?: readonly HeldNetwork[];
    upserted: ReadonlyArray<{ id: string; revision: number }>;
    removed: readonly string[];
  },
): Record<string, number> {
  const next: Record<string, number> = report.held
    ? Object.fromEntries(report.held.map((h) => [h.id, h.revision]))
    : { ...before };
  for (const u of report.upserted) next[u.id] = u.revision;
  for (const id of report.removed) delete next[id];
  return next;
}

/** Whether a report of the same boot as the last one applied is not newer than it (stale, to ignore). */
export function isStaleReport(last: { bootId: string | null; seq: number }, report: { bootId: string; seq: number }): boolean {
  return report.bootId === last.bootId && report.seq <= last.seq;
}
