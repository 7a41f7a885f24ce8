import { type AsOf, type EventStore, LOG_START, type LogCursor, type RecordedEvent } from '@vnet/events';
import { type HostRealizationEvent, hostRealizationDecider, type HostRealizationState } from '../realization/host-realization.decider.js';
import type { LogicalPortView } from './dto/logical-network.dto.js';

/** Where a network was realized and which logical ports it had, as the detail view shows them. */
export interface NetworkRealization {
  realizedOn: string[];
  ports: LogicalPortView[];
}

const REALIZATION_TYPES: Array<HostRealizationEvent['type']> = ['HostNetworksRealized', 'HostLogicalPortsReported'];
const PAGE = 1000;
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `realizedOn` and `ports` of a network from the hosts' realization events (their own streams, one
 * per host), folded per host as the read model folds them: hosts that hold it, and the ports they
 * reported on it, sorted as the read model lists them.
 */
export function realizationOf(networkId: string, events: Array<Pick<RecordedEvent, 'type' | 'data'>>): NetworkRealization {
  const hosts = new Map<string, HostRealizationState>();
  for (const e of events) {
    const event = { type: e.type, data: e.data } as HostRealizationEvent;
    const hostId = event.data.hostId;
    hosts.set(hostId, hostRealizationDecider.evolve(hosts.get(hostId) ?? hostRealizationDecider.initialState(), event));
  }
  const realizedOn = [...hosts].filter(([, s]) => networkId in s.networks).map(([hostId]) => hostId);
  const ports = [...hosts].flatMap(([hostId, s]) =>
    s.ports.filter((p) => p.logicalNetworkId === networkId).map((p) => ({ hostId, portId: p.id, dcnId: p.dcnId ?? null })),
  );
  return {
    realizedOn: realizedOn.sort(byText),
    ports: ports.sort((a, b) => byText(a.hostId, b.hostId) || byText(a.portId, b.portId)),
  };
}

/**
 * The hosts' realization events up to a point of the log, in global order. They come from every
 * host's stream, so this reads them by type over the whole log up to that point.
 */
export async function realizationEventsAt(store: EventStore, asOf: AsOf): Promise<RecordedEvent[]> {
  const end = 'position' in asOf ? await store.cursorAt(asOf.position) : null;
  if ('position' in asOf && !end) return [];
  const out: RecordedEvent[] = [];
  for (const type of REALIZATION_TYPES) {
    const filter = 'time' in asOf ? { type, to: asOf.time } : { type };
    let cursor: LogCursor = LOG_START;
    for (;;) {
      const page = await store.readAll(cursor, PAGE, { filter });
      const within = end ? page.events.filter((e) => !after(e, end)) : page.events;
      out.push(...within);
      if (page.events.length < PAGE || within.length < page.events.length) break;
      cursor = page.cursor;
    }
  }
  return out.sort((a, b) => (after(a, b) ? 1 : after(b, a) ? -1 : 0));
}

/** Whether `a` comes after `b` in the log's global order (transaction, then position). */
function after(a: LogCursor, b: LogCursor): boolean {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  return ta === tb ? a.position > b.position : ta > tb;
}
