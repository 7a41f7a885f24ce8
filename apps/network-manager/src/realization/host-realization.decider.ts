import type { Decider } from '@vnet/events';
import type { HeldNetwork } from '@vnet/contracts';

/** What the network manager learns from a host's report: which networks it holds, at which revision. */
export type HostRealizationEvent = {
  type: 'HostNetworksRealized';
  data: { hostId: string; bootId: string; seq: number; realized: HeldNetwork[]; removed: string[] };
};

export interface ApplyHostReport {
  type: 'ApplyHostReport';
  hostId: string;
  bootId: string;
  seq: number;
  held?: HeldNetwork[];
  upserted: HeldNetwork[];
  removed: string[];
}

export interface HostRealizationState {
  networks: Record<string, number>;
  bootId: string | null;
  seq: number;
}

export const hostRealizationDecider: Decider<HostRealizationState, ApplyHostReport, HostRealizationEvent> = {
  initialState: () => ({ networks: {}, bootId: null, seq: 0 }),

  decide(report, state) {
    // A report older than one already applied (same boot) says nothing new.
    if (report.bootId === state.bootId && report.seq <= state.seq) return [];
    const next: Record<string, number> = report.held
      ? Object.fromEntries(report.held.map((h) => [h.id, h.revision]))
      : { ...state.networks };
    for (const u of report.upserted) next[u.id] = u.revision;
    for (const id of report.removed) delete next[id];

    const realized = Object.entries(next)
      .filter(([id, revision]) => state.networks[id] !== revision)
      .map(([id, revision]) => ({ id, revision }));
    const removed = Object.keys(state.networks).filter((id) => !(id in next));
    if (realized.length === 0 && removed.length === 0) return [];
    return [
      { type: 'HostNetworksRealized', data: { hostId: report.hostId, bootId: report.bootId, seq: report.seq, realized, removed } },
    ];
  },

  evolve(state, event) {
    const networks = { ...state.networks };
    for (const r of event.data.realized) networks[r.id] = r.revision;
    for (const id of event.data.removed) delete networks[id];
    return { networks, bootId: event.data.bootId, seq: event.data.seq };
  },
};

export const HostRealizationAggregate = {
  category: 'hostRealization',
  snapshotSchema: 'hostRealization.v1',
  initialState: hostRealizationDecider.initialState,
  evolve: hostRealizationDecider.evolve,
};
