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
      const events = dcnDecider.decide({ type: 'AttachNic', id: item.dcnId, nic, hostHasNetwork, migrating: lookups.migrating.has(item.dcnId) }, state);
      current.set(item.dcnId, events.reduce(dcnDecider.evolve, state));
      return { ok: true, nic };
    } catch (error) {
      return { ok: false, error };
    }
  });
}
