import type { DcnPortDesired, PortGroupConfig, PortGroupPolicy, SwitchDesired } from '@vnet/contracts';

export type Connectee = { type: 'dcn'; dcnId: string; nicId: string } | { type: 'management' };

/**
 * A port as the host keeps it: what the port itself is. Its VLAN and policy are its port group's, so
 * a push that changes a port group changes no port object (2,000 hosts × 30 ports re-created and
 * re-written per push would be most of its cost).
 */
export interface RunningPort {
  id: string;
  portGroupId: string;
  connectee: Connectee;
  /** The switch revision at which this port itself last changed (created, moved, reconnected) on this host. */
  appliedAtRevision: number;
}

/** A port as the host shows it (CONTRACT §4): its port group's VLAN, and when it last changed in any way. */
export interface PortView {
  id: string;
  portGroupId: string;
  vlanId: number;
  connectee: Connectee;
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
  /** Per port group, the switch revision at which its VLAN or policy last changed on this host. */
  groupsAppliedAt: Readonly<Record<string, number>>;
  ports: readonly RunningPort[];
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
 * whose port group, VLAN and policy are unchanged is not touched and keeps its `appliedAtRevision`;
 * a port whose port group's VLAN or policy changed is reconfigured (its port group records the
 * revision), a new or moved port takes the new revision. Answers how many ports changed. Pure.
 *
 * Cost: VLAN and policy are compared once per port group, not per port; a port is carried over on an
 * id, port group and connectee check, and when none changed the running ports array itself is kept
 * (its stored record is not written again).
 */
export function applySwitch(
  running: RunningSwitch | null,
  desired: SwitchDesired,
  wanted: readonly WantedPort[],
): { next: RunningSwitch; touched: number } {
  const kept = untouchedGroups(running, desired);
  const groupsAppliedAt = appliedAtOfGroups(running, desired, kept);
  const groups = new Map(desired.portGroups.map((pg) => [pg.id, pg]));
  const before = running?.ports ?? [];
  let byId: Map<string, RunningPort> | null = null;
  let touched = 0;
  let matched = 0;
  let same = true;
  const ports: RunningPort[] = [];
  for (const w of wanted) {
    const pg = groups.get(w.portGroupId);
    if (!pg) continue; // its port group is not (yet) on this switch: not realized
    // Ports usually come in the same order as last time: a lookup only when they do not.
    let old: RunningPort | undefined = before[ports.length];
    if (old?.id !== w.id) old = (byId ??= new Map(before.map((p) => [p.id, p]))).get(w.id);
    if (old) matched++;
    if (old && old.portGroupId === pg.id && sameConnectee(old.connectee, w.connectee)) {
      if (!kept.has(pg.id)) touched++;
      same &&= before[ports.length] === old;
      ports.push(old);
    } else {
      touched++;
      same = false;
      ports.push({ id: w.id, portGroupId: pg.id, connectee: w.connectee, appliedAtRevision: desired.revision });
    }
  }
  touched += before.length - matched;
  same &&= ports.length === before.length;
  return {
    next: {
      id: desired.id,
      name: desired.name,
      revision: desired.revision,
      mtu: desired.mtu,
      rollbackTimeoutMs: desired.rollbackTimeoutMs,
      portGroups: desired.portGroups,
      groupsAppliedAt,
      ports: same && running ? running.ports : ports,
    },
    touched,
  };
}

/** Each port group's last change on this host; the running object itself when none changed. */
function appliedAtOfGroups(running: RunningSwitch | null, desired: SwitchDesired, kept: ReadonlySet<string>): Readonly<Record<string, number>> {
  const previous = running?.groupsAppliedAt ?? {};
  const out: Record<string, number> = {};
  let same = running !== null && Object.keys(previous).length === desired.portGroups.length;
  for (const pg of desired.portGroups) {
    const at = kept.has(pg.id) ? (previous[pg.id] ?? 0) : desired.revision;
    same &&= previous[pg.id] === at;
    out[pg.id] = at;
  }
  return same ? previous : out;
}

/** The ports as the host shows them: VLAN from the port group, the latest of the port's and its group's changes. */
export function portViews(sw: RunningSwitch): PortView[] {
  const vlans = new Map(sw.portGroups.map((pg) => [pg.id, pg.vlanId]));
  return sw.ports.map((p) => ({
    id: p.id,
    portGroupId: p.portGroupId,
    vlanId: vlans.get(p.portGroupId) ?? 0,
    connectee: p.connectee,
    appliedAtRevision: Math.max(p.appliedAtRevision, sw.groupsAppliedAt[p.portGroupId] ?? 0),
  }));
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
