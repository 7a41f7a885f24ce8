import type { OpaqueEntry } from './opaque-data.js';

/** A port group's policy: security, teaming and traffic shaping, as the compute switch applies it. */
export interface PortGroupPolicy {
  security: { promiscuous: boolean; macChanges: boolean; forgedTransmits: boolean };
  teaming: {
    policy: 'loadbalance_srcid' | 'loadbalance_srcmac' | 'loadbalance_ip' | 'loadbalance_loadbased' | 'failover_explicit';
    notifySwitches: boolean;
    failback: boolean;
  };
  shaping: { enabled: boolean; averageBandwidthKbps: number; peakBandwidthKbps: number; burstSizeKb: number };
}

export const TEAMING_POLICIES = [
  'loadbalance_srcid',
  'loadbalance_srcmac',
  'loadbalance_ip',
  'loadbalance_loadbased',
  'failover_explicit',
] as const;

export const DEFAULT_POLICY: PortGroupPolicy = {
  security: { promiscuous: false, macChanges: false, forgedTransmits: false },
  teaming: { policy: 'loadbalance_srcid', notifySwitches: true, failback: true },
  shaping: { enabled: false, averageBandwidthKbps: 0, peakBandwidthKbps: 0, burstSizeKb: 0 },
};

export interface PortGroupConfig {
  id: string;
  name: string;
  vlanId: number;
  management: boolean;
  policy: PortGroupPolicy;
  /** The revision at which this port group last changed: a host re-applies only what changed. */
  changedAtRevision: number;
}

/**
 * The final state of a distributed switch at a revision: sent once, to all member hosts at once,
 * as the value of key `<switchId>` in KV_SWITCHES. `hostIds` are its members: a host that is not
 * one drops the switch.
 */
export interface SwitchDesired {
  id: string;
  name: string;
  revision: number;
  mtu: number;
  rollbackTimeoutMs: number;
  hostIds: string[];
  portGroups: PortGroupConfig[];
  /** False when the change was pushed with `?rollback=false`: the host applies it without the safety net. */
  rollback: boolean;
  /**
   * Extensions' opaque data set on this switch (`entity.type` `switch`, `entity.id` the switch id)
   * and on its port groups (`port-group`, the port group id), sorted by entity, namespace, key.
   * Each `valueJson` is the value's JSON text exactly as the extension sent it: keep it as a string.
   * A put or delete of such an entry is a new revision of the switch; the list is always whole (an
   * entry missing from it was deleted). Absent: none. Effective views: `effectiveOpaque`.
   */
  opaque?: OpaqueEntry[];
  /** The correlation id of the change that made this revision (its request's `X-Correlation-Id`), when known. */
  correlationId?: string;
}

export const KV_SWITCHES = 'vnet-switches';

/** A DCN's NIC port on a host: on the compute switch (port group) or on the network switch (logical network). */
export interface DcnPortDesired {
  id: string;
  dcnId: string;
  nicId: string;
  network: { kind: 'port-group'; switchId: string; portGroupId: string } | { kind: 'logical'; logicalNetworkId: string };
}

/**
 * Host-specific desired state (the ports of the DCNs on that host), key `<hostId>` in KV_HOST_PORTS.
 * `revision` grows with every change for that host.
 */
export interface HostPortsDesired {
  hostId: string;
  revision: number;
  ports: DcnPortDesired[];
  /** Per-host overrides of ports of the host's switches (a repaired management port, §6.5); absent: none. */
  overrides?: PortOverride[];
  /**
   * Extensions' opaque data set on this host's ports (`entity.type` `port`, `entity.id` a `ports[].id`)
   * and on the host itself (`host`, the host id), sorted by entity, namespace, key; `valueJson` is raw
   * JSON text as in SwitchDesired.opaque. A port of a port group inherits its switch's and port
   * group's entries (from SwitchDesired.opaque); a logical network's port inherits nothing. A put or
   * delete moves `revision`; the list is always whole. Absent: none.
   */
  opaque?: OpaqueEntry[];
  /** The correlation id of the change that made this revision, when known. */
  correlationId?: string;
}

/**
 * One port of one switch configured on this host apart from its port group: the compute manager
 * writes one to give a host's management port back the last VLAN under which that host was connected,
 * while the port group itself stays changed on the other hosts.
 */
export interface PortOverride {
  switchId: string;
  portId: string;
  vlanId: number;
  /** The switch revision under which the host was last connected, whose VLAN this is. */
  fromRevision: number;
}

export const KV_HOST_PORTS = 'vnet-host-ports';

/**
 * Host → compute manager, core NATS on `hostStatusSubject(hostId)`, sent once a change is applied
 * and one management round trip through it came back (or when it was rolled back or failed).
 */
export interface HostApplyStatus {
  hostId: string;
  kind: 'switch' | 'ports';
  /** The switch id for `switch`, the host id for `ports`. */
  targetId: string;
  revision: number;
  state: 'applied' | 'rolled_back' | 'failed';
  /** Why it failed or was rolled back. */
  detail?: string;
  /** For `rolled_back`: the revision of the saved config the host runs again. */
  restoredRevision?: number;
  /**
   * The correlation id of the change this answers (the desired state's); the message's
   * `vnet-correlation-id` header carries it too.
   */
  correlationId?: string;
  sentAt: string;
}

export const hostStatusSubject = (hostId: string): string => `cm.status.${hostId}`;
export const HOST_STATUS_SUBJECTS = 'cm.status.*';

/**
 * Host → compute manager, a core NATS request through the host's link on
 * `managementRepairSubject(hostId)`: the host's management came back through a clone of its
 * management port (`POST /hosts/:id/management/restore`). The compute manager answers once it has
 * recorded the override that gives the original port the VLAN of `lastConnectedRevision`, and
 * publishes it in the host's ports desired state.
 */
export interface ManagementRepairRequest {
  hostId: string;
  switchId: string;
  /** The original management port. */
  portId: string;
  clonePortId: string;
  /** The switch revision under which the host was last connected through the original port. */
  lastConnectedRevision: number;
  sentAt: string;
}

export interface ManagementRepairReply {
  ok: boolean;
  /** The host ports revision that carries the override (when ok). */
  portsRevision?: number;
  detail?: string;
}

export const managementRepairSubject = (hostId: string): string => `cm.repair.${hostId}`;
export const MANAGEMENT_REPAIR_SUBJECTS = 'cm.repair.*';
