import type { Decider } from '@vnet/events';
import { heldAfterReport, isStaleReport, type HeldNetwork, type ReportedLogicalPort } from '@vnet/contracts';

/** What the network manager learns from a host's report: which networks it holds, and its logical ports. */
export type HostRealizationEvent =
  | {
      type: 'HostNetworksRealized';
      data: { hostId: string; bootId: string; seq: number; realized: HeldNetwork[]; removed: string[] };
    }
  | { type: 'HostLogicalPortsReported'; data: { hostId: string; bootId: string; seq: number; ports: ReportedLogicalPort[] } };

export interface ApplyHostReport {
  type: 'ApplyHostReport';
  hostId: string;
  bootId: string;
  seq: number;
  held?: HeldNetwork[];
  upserted: HeldNetwork[];
  removed: string[];
  logicalPorts?: ReportedLogicalPort[];
}

export interface HostRealizationState {
  networks: Record<string, number>;
  ports: ReportedLogicalPort[];
  bootId: string | null;
  seq: number;
}

export const hostRealizationDecider: Decider<HostRealizationState, ApplyHostReport, HostRealizationEvent> = {
  initialState: () => ({ networks: {}, ports: [], bootId: null, seq: 0 }),

  decide(report, state) {
    // A report older than one already applied (same boot) says nothing new.
    if (isStaleReport(state, report)) return [];
    const next = heldAfterReport(state.networks, report);

    const realized = Object.entries(next)
      .filter(([id, revision]) => state.networks[id] !== revision)
      .map(([id, revision]) => ({ id, revision }));
    const removed = Object.keys(state.networks).filter((id) => !(id in next));
    const events: HostRealizationEvent[] = [];
    const at = { hostId: report.hostId, bootId: report.bootId, seq: report.seq };
    if (realized.length || removed.length) events.push({ type: 'HostNetworksRealized', data: { ...at, realized, removed } });
    if (report.logicalPorts && JSON.stringify(sortPorts(report.logicalPorts)) !== JSON.stringify(sortPorts(state.ports))) {
      events.push({ type: 'HostLogicalPortsReported', data: { ...at, ports: sortPorts(report.logicalPorts) } });
    }
    return events;
  },

  evolve(state, event) {
    switch (event.type) {
      case 'HostNetworksRealized': {
        const networks = { ...state.networks };
        for (const r of event.data.realized) networks[r.id] = r.revision;
        for (const id of event.data.removed) delete networks[id];
        return { ...state, networks, bootId: event.data.bootId, seq: event.data.seq };
      }
      case 'HostLogicalPortsReported':
        return { ...state, ports: event.data.ports, bootId: event.data.bootId, seq: event.data.seq };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};

function sortPorts(ports: ReportedLogicalPort[]): ReportedLogicalPort[] {
  return [...ports]
    .map((p) => ({ id: p.id, logicalNetworkId: p.logicalNetworkId, dcnId: p.dcnId ?? null }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export const HostRealizationAggregate = {
  category: 'hostRealization',
  snapshotSchema: 'hostRealization.v1',
  initialState: hostRealizationDecider.initialState,
  evolve: hostRealizationDecider.evolve,
};
