import { type LogicalNetworkConstruct, REPORT_CHUNK, type ReportedLogicalPort } from '@vnet/contracts';

/**
 * One report message before encoding: references to the constructs, so that a queue of them costs
 * pointers, not JSON. `held` (full reports only) lists every network the host holds.
 */
export interface ReportPlan {
  seq: number;
  held?: readonly LogicalNetworkConstruct[];
  upserted: readonly LogicalNetworkConstruct[];
  removed: readonly string[];
  /** The host's logical ports and switch revisions, complete, when they changed (and in full reports). */
  extras?: ReportExtras;
  /** The correlation id of the (latest) change it answers, sent as the message's `vnet-correlation-id`. */
  correlationId?: string;
}

export interface ReportExtras {
  logicalPorts: ReportedLogicalPort[];
  switches: Array<{ id: string; revision: number }>;
}

/**
 * A full report: `held` and the first chunk of constructs in the first message, the remaining
 * constructs in following messages of at most `chunk` each.
 */
export function planFullReport(held: readonly LogicalNetworkConstruct[], firstSeq: number, chunk = REPORT_CHUNK): ReportPlan[] {
  const plans: ReportPlan[] = [{ seq: firstSeq, held, upserted: held.slice(0, chunk), removed: [] }];
  for (let i = chunk; i < held.length; i += chunk)
    plans.push({ seq: firstSeq + plans.length, upserted: held.slice(i, i + chunk), removed: [] });
  return plans;
}

/** A delta report: removals with the first message, upserted constructs chunked. Nothing for no change. */
export function planDeltaReport(
  upserted: readonly LogicalNetworkConstruct[],
  removed: readonly string[],
  firstSeq: number,
  chunk = REPORT_CHUNK,
): ReportPlan[] {
  if (upserted.length === 0 && removed.length === 0) return [];
  const plans: ReportPlan[] = [{ seq: firstSeq, upserted: upserted.slice(0, chunk), removed }];
  for (let i = chunk; i < upserted.length; i += chunk)
    plans.push({ seq: firstSeq + plans.length, upserted: upserted.slice(i, i + chunk), removed: [] });
  return plans;
}
