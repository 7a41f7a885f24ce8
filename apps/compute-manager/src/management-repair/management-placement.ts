import type { PortGroupConfig } from '@vnet/contracts';
import type { SwitchState } from '../switches/switch.decider.js';

/**
 * The port group that held a member host's management port on a switch in `state`: the most
 * recently created (or restored) management port group, as hosts place it (CONTRACT §4). Pure.
 */
export function managementPortGroup(state: SwitchState, hostId: string): PortGroupConfig | null {
  if (!state.hostIds.includes(hostId)) return null;
  return state.portGroups.filter((pg) => pg.management).at(-1) ?? null;
}
