import type { DcnPortDesired, PortGroupConfig, PortGroupPolicy, SwitchDesired } from '@vnet/contracts';

export type Connectee = { type: 'dcn'; dcnId: string; nicId: string } | { type: 'management' };

export interface RunningPort {
  id: string;
  portGroupId: string;
  vlanId: number;
  connectee: Connectee;
  /** The switch revision at which this port last changed on this host. */
  appliedAtRevision: number;
}

/** A compute switch as a host runs it. */
export interface RunningSwitch {
  id: string;
  name: string;
  revision: number;
  mtu: number;
  rollbackTimeoutMs: number;
  portGroups: PortGroupConfig[];
  ports: RunningPort[];
}

export interface RunningLogicalPort {
  id: string;
  logicalNetworkId: string;
  connectee: Connectee;
  appliedAtRevision: number;
}

/** A port the host should have on a switch: a DCN's NIC, or the host's management port. */
export interface WantedPort {
  id: string;
  portGroupId: string;
  connectee: Connectee;
}

export const managementPortId = (hostId: string): string => `mgmt-${hostId}`;

/**
 * The switch a host runs after a final state: the port-level difference with what it runs. A port
 * whose port group, VLAN and policy are unchanged keeps its `appliedAtRevision` and is not touched;
 * only changed or new ports take the new revision. Pure.
 *
 * Cost: a port group whose `changedAtRevision` is not past the running revision is the one the host
 * already runs, so its ports are carried over on an id and connectee check alone; VLAN and policy
 * are compared only for the port groups that changed (once per group, not per port). A host holds
 * at most a few dozen ports of a switch, so one pass over them is the whole cost of a push.
 */
export function applySwitch(
  running: RunningSwitch | null,
  desired: SwitchDesired,
  wanted: readonly WantedPort[],
): { next: RunningSwitch; touched: number } {
  const groups = new Map(desired.portGroups.map((pg) => [pg.id, pg]));
  const before = new Map((running?.ports ?? []).map((p) => [p.id, p]));
  const keptGroups = untouchedGroups(running, desired);
  let touched = 0;
  const ports: RunningPort[] = [];
  for (const w of wanted) {
    const pg = groups.get(w.portGroupId);
    if (!pg) continue; // its port group is not (yet) on this switch: not realized
    const old = before.get(w.id);
    const unchanged =
      old !== undefined &&
      old.portGroupId === pg.id &&
      sameConnectee(old.connectee, w.connectee) &&
      keptGroups.has(pg.id) &&
      old.vlanId === pg.vlanId;
    if (unchanged) ports.push(old);
    else {
      touched++;
      ports.push({ id: w.id, portGroupId: pg.id, vlanId: pg.vlanId, connectee: w.connectee, appliedAtRevision: desired.revision });
    }
  }
  if (before.size > 0) {
    const wantedIds = new Set(wanted.map((w) => w.id));
    for (const id of before.keys()) if (!wantedIds.has(id)) touched++;
  }
  return {
    next: {
      id: desired.id,
      name: desired.name,
      revision: desired.revision,
      mtu: desired.mtu,
      rollbackTimeoutMs: desired.rollbackTimeoutMs,
      portGroups: desired.portGroups,
      ports,
    },
    touched,
  };
}

/**
 * The port groups whose effective port config (VLAN, policy) is what the host runs: those not
 * changed since the running revision, and changed ones whose VLAN and policy came out the same
 * (a rename, or a change and its revert between two pushes the host saw).
 */
export function untouchedGroups(running: RunningSwitch | null, desired: SwitchDesired): Set<string> {
  const kept = new Set<string>();
  if (!running) return kept;
  const runningGroups = new Map(running.portGroups.map((pg) => [pg.id, pg]));
  for (const pg of desired.portGroups) {
    const old = runningGroups.get(pg.id);
    if (!old) continue;
    if (old === pg || (pg.changedAtRevision <= running.revision && old.changedAtRevision === pg.changedAtRevision)) kept.add(pg.id);
    else if (old.vlanId === pg.vlanId && samePolicy(old.policy, pg.policy)) kept.add(pg.id);
  }
  return kept;
}

/** The DCN ports a host wants on one switch, from its ports desired state. */
export function dcnPortsOn(switchId: string, ports: readonly DcnPortDesired[]): WantedPort[] {
  const out: WantedPort[] = [];
  for (const p of ports) {
    if (p.network.kind === 'port-group' && p.network.switchId === switchId) {
      out.push({ id: p.id, portGroupId: p.network.portGroupId, connectee: { type: 'dcn', dcnId: p.dcnId, nicId: p.nicId } });
    }
  }
  return out;
}

/** A desired port the host cannot realize, and why (the outcome's detail). */
export interface UnrealizedPort {
  id: string;
  reason: string;
}

/**
 * The desired ports a host cannot realize: a port-group port needs that switch and port group on the
 * host, a logical port needs the construct on its network switch.
 */
export function unrealizedPorts(
  desired: readonly DcnPortDesired[],
  switches: ReadonlyMap<string, Pick<RunningSwitch, 'portGroups'>>,
  holdsNetwork: (networkId: string) => boolean,
): UnrealizedPort[] {
  const out: UnrealizedPort[] = [];
  for (const p of desired) {
    const n = p.network;
    if (n.kind === 'logical') {
      if (!holdsNetwork(n.logicalNetworkId)) out.push({ id: p.id, reason: `logical network ${n.logicalNetworkId} is not held by this host` });
      continue;
    }
    const sw = switches.get(n.switchId);
    if (!sw) out.push({ id: p.id, reason: `switch ${n.switchId} does not run on this host` });
    else if (!sw.portGroups.some((pg) => pg.id === n.portGroupId)) out.push({ id: p.id, reason: `port group ${n.portGroupId} is not on switch ${n.switchId} on this host` });
  }
  return out;
}

/** Where the management port lives: a management port group of a switch the host runs. */
export interface ManagementPlacement {
  switchId: string;
  portGroupId: string;
}

/**
 * The management port's place after `changed` switches were applied. Rule: the most recently
 * created management port group reaching the host holds it. A port group new to this host (in the
 * switch just applied) is the most recent; otherwise the current place stays while it exists; else
 * the last management port group (in creation order) of any switch the host runs; else none (VLAN 0).
 */
export function placeManagement(
  current: ManagementPlacement | null,
  switches: ReadonlyMap<string, RunningSwitch>,
  applied: { switchId: string; newPortGroupIds: ReadonlySet<string> } | null,
): ManagementPlacement | null {
  if (applied) {
    const sw = switches.get(applied.switchId);
    const fresh = sw?.portGroups.filter((pg) => pg.management && applied.newPortGroupIds.has(pg.id)).at(-1);
    if (sw && fresh) return { switchId: sw.id, portGroupId: fresh.id };
  }
  if (current) {
    const pg = switches.get(current.switchId)?.portGroups.find((p) => p.id === current.portGroupId);
    if (pg?.management) return current;
  }
  let found: ManagementPlacement | null = null;
  for (const sw of switches.values()) {
    const last = sw.portGroups.filter((pg) => pg.management).at(-1);
    if (last) found = { switchId: sw.id, portGroupId: last.id };
  }
  return found;
}

/** The VLAN the management link checks: its port group's, or 0 (untagged). */
export function managementVlan(placement: ManagementPlacement | null, switches: ReadonlyMap<string, RunningSwitch>): number {
  if (!placement) return 0;
  return switches.get(placement.switchId)?.portGroups.find((pg) => pg.id === placement.portGroupId)?.vlanId ?? 0;
}

/**
 * The logical ports a host realizes on its network switch: those of its desired ports on logical
 * networks it holds. Returns them, and the ids it cannot realize (the construct is not held).
 */
export function realizeLogicalPorts(
  before: readonly RunningLogicalPort[],
  desired: readonly DcnPortDesired[],
  constructRevision: (networkId: string) => number | undefined,
): { ports: RunningLogicalPort[]; missing: string[] } {
  const old = new Map(before.map((p) => [p.id, p]));
  const ports: RunningLogicalPort[] = [];
  const missing: string[] = [];
  for (const p of desired) {
    if (p.network.kind !== 'logical') continue;
    const revision = constructRevision(p.network.logicalNetworkId);
    if (revision === undefined) {
      missing.push(p.id);
      continue;
    }
    const prev = old.get(p.id);
    if (prev && prev.logicalNetworkId === p.network.logicalNetworkId) ports.push(prev);
    else ports.push({ id: p.id, logicalNetworkId: p.network.logicalNetworkId, connectee: { type: 'dcn', dcnId: p.dcnId, nicId: p.nicId }, appliedAtRevision: revision });
  }
  return { ports, missing };
}

function sameConnectee(a: Connectee, b: Connectee): boolean {
  return a.type === b.type && (a.type === 'management' || (b.type === 'dcn' && a.dcnId === b.dcnId && a.nicId === b.nicId));
}

function samePolicy(a: PortGroupPolicy, b: PortGroupPolicy): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
