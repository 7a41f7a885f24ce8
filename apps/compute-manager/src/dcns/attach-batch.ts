import { NotFoundError } from '@vnet/events';
import { dcnDecider, type DcnState, type Nic } from './dcn.decider.js';
import type { AttachNicDto } from './dto/dcn.dto.js';

/** A host and a network (logical network or switch) id, as the batch's lookups key them. */
export const holdingKey = (hostId: string, id: string) => `${hostId}|${id}`;

/** What a batch of attaches needs to know, read once for all of them. */
export interface AttachLookups {
  /** Each port group found, and its switch. */
  switchOf: ReadonlyMap<string, string>;
  /** `holdingKey(host, logical network)` of the networks the hosts hold. */
  held: ReadonlySet<string>;
  /** `holdingKey(host, switch)` of the switches the hosts are members of. */
  members: ReadonlySet<string>;
  /** DCNs with a migration under way. */
  migrating: ReadonlySet<string>;
}

/**
 * What a batch's lookups are asked for: the port groups named, the DCNs, and for each attach to an
 * active DCN the pair of its host and the logical network, or port group, it names.
 */
export interface AttachLookupsQuery {
  portGroupIds: string[];
  dcnIds: string[];
  held: Array<{ hostId: string; networkId: string }>;
  members: Array<{ hostId: string; portGroupId: string }>;
}

/** The lookups a batch of attaches needs, each asked once, from the DCNs' states (pure). */
export function attachLookupsQuery(
  items: ReadonlyArray<{ dcnId: string; dto: AttachNicDto }>,
  states: ReadonlyMap<string, DcnState>,
): AttachLookupsQuery {
  const held = new Map<string, { hostId: string; networkId: string }>();
  const members = new Map<string, { hostId: string; portGroupId: string }>();
  const portGroupIds = new Set<string>();
  for (const { dcnId, dto } of items) {
    if (dto.portGroupId && !dto.logicalNetworkId) portGroupIds.add(dto.portGroupId);
    const state = states.get(dcnId);
    if (state?.status !== 'active') continue;
    if (dto.logicalNetworkId)
      held.set(holdingKey(state.hostId, dto.logicalNetworkId), { hostId: state.hostId, networkId: dto.logicalNetworkId });
    else if (dto.portGroupId)
      members.set(holdingKey(state.hostId, dto.portGroupId), { hostId: state.hostId, portGroupId: dto.portGroupId });
  }
  return {
    portGroupIds: [...portGroupIds],
    dcnIds: [...new Set(items.map((i) => i.dcnId))],
    held: [...held.values()],
    members: [...members.values()],
  };
}

/**
 * The accepted attaches of a batch, as they are appended: by host, then DCN, then arrival (each
 * with its index in the batch). Pure.
 */
export function acceptedAttaches<T extends { dcnId: string }>(
  items: readonly T[],
  decisions: readonly AttachDecision[],
  states: ReadonlyMap<string, DcnState>,
): Array<{ item: T; index: number; nic: Nic; hostId: string }> {
  const accepted = items.flatMap((item, index) => {
    const d = decisions[index];
    return d.ok ? [{ item, index, nic: d.nic, hostId: states.get(item.dcnId)!.hostId }] : [];
  });
  return accepted.sort((a, b) => cmp(a.hostId, b.hostId) || cmp(a.item.dcnId, b.item.dcnId) || a.index - b.index);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export type AttachDecision = { ok: true; nic: Nic } | { ok: false; error: unknown };

/**
 * Each attach of a batch decided on its own, in arrival order, on its DCN's state as the attaches
 * before it in the batch left it: a refused one gets the error a lone attach would get (unknown
 * DCN, unknown port group, migrating, network not on the host), in the same order of checks. Pure
 * but for `newId`.
 */
export function decideAttaches(
  items: ReadonlyArray<{ dcnId: string; dto: AttachNicDto }>,
  states: ReadonlyMap<string, DcnState>,
  lookups: AttachLookups,
  newId: () => string,
): AttachDecision[] {
  const current = new Map(states);
  return items.map((item) => {
    try {
      const state = current.get(item.dcnId);
      if (!state || state.status !== 'active') throw new NotFoundError('DCN', item.dcnId);
      const { logicalNetworkId, portGroupId } = item.dto;
      let network: Nic['network'];
      if (logicalNetworkId) network = { kind: 'logical', id: logicalNetworkId };
      else {
        const switchId = lookups.switchOf.get(portGroupId!);
        if (!switchId) throw new NotFoundError('port group', portGroupId!);
        network = { kind: 'port-group', id: portGroupId!, switchId };
      }
      const nic: Nic = { id: newId(), portId: newId(), network };
      const hostHasNetwork =
        network.kind === 'logical'
          ? lookups.held.has(holdingKey(state.hostId, network.id))
          : lookups.members.has(holdingKey(state.hostId, network.switchId));
      const events = dcnDecider.decide(
        { type: 'AttachNic', id: item.dcnId, nic, hostHasNetwork, migrating: lookups.migrating.has(item.dcnId) },
        state,
      );
      current.set(item.dcnId, events.reduce(dcnDecider.evolve, state));
      return { ok: true, nic };
    } catch (error) {
      return { ok: false, error };
    }
  });
}
