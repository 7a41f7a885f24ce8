import type { LogicalNetworkConstruct } from '@vnet/contracts';

/** A network as the compute manager learned it: the newest construct any host reported. */
export interface LearnedNetwork {
  construct: LogicalNetworkConstruct;
  revision: number;
  firstPosition: number;
}

/** One host's report of what it now holds and no longer holds, at its position in the log. */
export interface NetworksReport {
  hostId: string;
  position: number;
  upserted: readonly LogicalNetworkConstruct[];
  removed: readonly string[];
}

/** What the reports' networks looked like before them: only the pairs and networks they touch. */
export interface HostNetworksBefore {
  /** `host_networks` rows: `${hostId} ${networkId}` → revision held. */
  held: Map<string, number>;
  /**
   * How many hosts hold each network the reports remove, counted up to one more than the times they
   * remove it (enough to tell whether it ends up held by none; see `removalsOf`).
   */
  holders: Map<string, number>;
  learned: Map<string, LearnedNetwork>;
}

export interface HostNetworksWrites {
  heldUpserts: Array<{ hostId: string; networkId: string; revision: number }>;
  heldDeletes: Array<{ hostId: string; networkId: string }>;
  learnedUpserts: Array<{ id: string } & LearnedNetwork>;
  learnedDeletes: string[];
}

export const heldKey = (hostId: string, networkId: string) => `${hostId} ${networkId}`;

/** The pairs and networks a batch of reports touches: what to read before folding them. */
export function touchedBy(reports: readonly NetworksReport[]): { pairs: Array<{ hostId: string; networkId: string }>; networks: string[] } {
  const pairs = new Map<string, { hostId: string; networkId: string }>();
  for (const r of reports) {
    for (const networkId of [...r.upserted.map((c) => c.id), ...r.removed]) pairs.set(heldKey(r.hostId, networkId), { hostId: r.hostId, networkId });
  }
  return { pairs: [...pairs.values()], networks: [...new Set([...pairs.values()].map((p) => p.networkId))] };
}

/** How many times the reports remove each network: its holders need counting only that far. */
export function removalsOf(reports: readonly NetworksReport[]): Map<string, number> {
  const removals = new Map<string, number>();
  for (const r of reports) for (const id of r.removed) removals.set(id, (removals.get(id) ?? 0) + 1);
  return removals;
}

/**
 * Folds reports in log order exactly as projecting them one at a time would (a held network takes
 * the reported revision; a network is learned at its first report and takes any newer construct; a
 * network no host holds any more is forgotten), and returns the rows to write, each once.
 */
export function foldHostNetworks(before: HostNetworksBefore, reports: readonly NetworksReport[]): HostNetworksWrites {
  const held = new Map(before.held);
  const holders = new Map(before.holders);
  const learned = new Map(before.learned);
  for (const r of reports) {
    for (const c of r.upserted) {
      const key = heldKey(r.hostId, c.id);
      if (!held.has(key)) holders.set(c.id, (holders.get(c.id) ?? 0) + 1);
      held.set(key, c.revision);
      const known = learned.get(c.id);
      if (!known) learned.set(c.id, { construct: c, revision: c.revision, firstPosition: r.position });
      else if (known.revision < c.revision) learned.set(c.id, { ...known, construct: c, revision: c.revision });
    }
    for (const networkId of r.removed) {
      const key = heldKey(r.hostId, networkId);
      if (held.delete(key)) holders.set(networkId, (holders.get(networkId) ?? 1) - 1);
      if (!holders.get(networkId)) learned.delete(networkId);
    }
  }
  const writes: HostNetworksWrites = { heldUpserts: [], heldDeletes: [], learnedUpserts: [], learnedDeletes: [] };
  for (const [key, revision] of held) {
    if (before.held.get(key) === revision) continue;
    const [hostId, networkId] = key.split(' ');
    writes.heldUpserts.push({ hostId, networkId, revision });
  }
  for (const key of before.held.keys()) {
    if (held.has(key)) continue;
    const [hostId, networkId] = key.split(' ');
    writes.heldDeletes.push({ hostId, networkId });
  }
  for (const [id, network] of learned) if (before.learned.get(id) !== network) writes.learnedUpserts.push({ id, ...network });
  for (const id of before.learned.keys()) if (!learned.has(id)) writes.learnedDeletes.push(id);
  return writes;
}
