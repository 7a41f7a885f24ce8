import type { DcnPortDesired, HostPortsDesired } from '@vnet/contracts';
import type { JournalEntry } from './journal-entry.js';

/**
 * The journal entry of a host taking ports revision `next` over `before`: the ids of the DCN ports
 * it adds, removes, and moves (another network or NIC), each oldest first as the desired state lists them.
 */
export function portsApplied(before: HostPortsDesired | null, next: HostPortsDesired): Extract<JournalEntry, { type: 'PortsApplied' }> {
  const old = new Map((before?.ports ?? []).map((p) => [p.id, p]));
  const ids = new Set(next.ports.map((p) => p.id));
  const added: string[] = [];
  const changed: string[] = [];
  for (const port of next.ports) {
    const was = old.get(port.id);
    if (!was) added.push(port.id);
    else if (!samePort(was, port)) changed.push(port.id);
  }
  const removed = [...old.keys()].filter((id) => !ids.has(id));
  return { type: 'PortsApplied', data: { revision: next.revision, added, removed, changed } };
}

function samePort(a: DcnPortDesired, b: DcnPortDesired): boolean {
  if (a.dcnId !== b.dcnId || a.nicId !== b.nicId || a.network.kind !== b.network.kind) return false;
  if (a.network.kind === 'logical') return b.network.kind === 'logical' && a.network.logicalNetworkId === b.network.logicalNetworkId;
  return b.network.kind === 'port-group' && a.network.switchId === b.network.switchId && a.network.portGroupId === b.network.portGroupId;
}
