import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { ReportPlan } from './report-plan.js';

export interface ReportEnvelope {
  hostId: string;
  bootId: string;
  sentAt: string;
}

/**
 * The HostReport JSON of a plan, built from constructs already encoded (`encode` is the catalog's
 * cache): thousands of hosts reporting the same networks do not serialise them thousands of times.
 */
export function encodeReport(plan: ReportPlan, envelope: ReportEnvelope, encode: (c: LogicalNetworkConstruct) => string): string {
  const parts: string[] = [`{"hostId":${JSON.stringify(envelope.hostId)},"bootId":${JSON.stringify(envelope.bootId)},"seq":${plan.seq}`];
  if (plan.held) parts.push(`,"held":[${plan.held.map((c) => `{"id":${JSON.stringify(c.id)},"revision":${c.revision}}`).join(',')}]`);
  parts.push(`,"upserted":[${plan.upserted.map(encode).join(',')}]`);
  parts.push(`,"removed":${JSON.stringify(plan.removed)},"sentAt":${JSON.stringify(envelope.sentAt)}}`);
  return parts.join('');
}

export const reportMsgId = (hostId: string, bootId: string, seq: number): string => `${hostId}:${bootId}:${seq}`;
