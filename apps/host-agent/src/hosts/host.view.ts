import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { UplinkConfig } from '../link/management-link.js';

/** `GET /hosts/:hostId` (CONTRACT §4). Compute switches, ports and rollback arrive with the compute manager's work. */
export interface HostView {
  hostId: string;
  managementConnected: boolean;
  computeSwitches: unknown[];
  networkSwitch: { logicalNetworks: LogicalNetworkConstruct[]; ports: unknown[] };
  uplink: UplinkConfig;
  /** A switch change awaiting its proof: the saved config's revision, and when it is restored without one. */
  pendingRollback: { switchId: string; savedRevision: number; deadline: string } | null;
}

/** An item of `GET /hosts`: the host without its constructs, which thousands of hosts would make huge. */
export interface HostSummary {
  hostId: string;
  managementConnected: boolean;
  uplink: UplinkConfig;
  logicalNetworkCount: number;
}
