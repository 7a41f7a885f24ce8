import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { ConstructCatalog } from '../network-switch/construct-catalog.js';
import type { ReportPlan } from './report-plan.js';

export interface ReportEnvelope {
  hostId: string;
  bootId: string;
  sentAt: string;
}

/** The bytes a report is assembled from, per construct. */
export interface ConstructBytes {
  json(c: LogicalNetworkConstruct): Uint8Array;
  held(c: LogicalNetworkConstruct): Uint8Array;
}

/** Construct bytes made once per construct revision by the catalog, for every host's reports. */
export function catalogBytes(catalog: ConstructCatalog): ConstructBytes {
  return {
    json: (c) => {
      const e = catalog.encodings(c);
      return (e.bytes ??= Buffer.from(e.json, 'utf8'));
    },
    held: (c) => (catalog.encodings(c).held ??= Buffer.from(`{"id":${JSON.stringify(c.id)},"revision":${c.revision}}`, 'utf8')),
  };
}

const COMMA = Buffer.from(',');

/**
 * The HostReport JSON of a plan as bytes, copied together from the constructs' shared encodings:
 * thousands of hosts reporting the same networks neither serialise them again nor build strings.
 */
export function encodeReport(plan: ReportPlan, envelope: ReportEnvelope, bytes: ConstructBytes): Buffer {
  const parts: Uint8Array[] = [
    Buffer.from(`{"hostId":${JSON.stringify(envelope.hostId)},"bootId":${JSON.stringify(envelope.bootId)},"seq":${plan.seq}`),
  ];
  const list = (name: string, items: readonly LogicalNetworkConstruct[], encode: (c: LogicalNetworkConstruct) => Uint8Array) => {
    parts.push(Buffer.from(`,"${name}":[`));
    items.forEach((c, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(encode(c));
    });
    parts.push(Buffer.from(']'));
  };
  if (plan.held) list('held', plan.held, bytes.held);
  list('upserted', plan.upserted, bytes.json);
  const extras = plan.extras ? `,"logicalPorts":${JSON.stringify(plan.extras.logicalPorts)},"switches":${JSON.stringify(plan.extras.switches)}` : '';
  parts.push(Buffer.from(`,"removed":${JSON.stringify(plan.removed)}${extras},"sentAt":${JSON.stringify(envelope.sentAt)}}`));
  return Buffer.concat(parts);
}

export const reportMsgId = (hostId: string, bootId: string, seq: number): string => `${hostId}:${bootId}:${seq}`;
