import type { HostPortsDesired } from '@vnet/contracts';
import type { HostStore } from '../store/host-store.js';
import type { ManagementPlacement, RunningLogicalPort, RunningPort, RunningSwitch } from './compute-state.js';

export const COMPUTE_NS = 'compute';

/**
 * Store keys of a switch: its config (without ports) and its ports, each written only when it
 * changes; the config before a change that awaits its proof (`saved:`), with the ports before it
 * (`saved-ports:`) only when that change changed them (absent, the saved config's ports are the
 * running ones), and the management port's place before it (`saved-management:`) only when that
 * change moved it (absent, the saved place is the running one).
 */
export const SWITCH_KEY = 'switch:';
export const PORTS_KEY = 'switch-ports:';
export const SAVED_KEY = 'saved:';
export const SAVED_PORTS_KEY = 'saved-ports:';
export const SAVED_MANAGEMENT_KEY = 'saved-management:';
const MANAGEMENT_KEY = 'management';
const DESIRED_PORTS_KEY = 'ports';
const LOGICAL_PORTS_KEY = 'logical-ports';

/** A switch's config as stored; a record written before ports had a key of their own carries them. */
type StoredSwitch = Omit<RunningSwitch, 'ports' | 'groupsAppliedAt'> & {
  groupsAppliedAt?: Record<string, number>;
  ports?: Array<RunningPort & { vlanId?: number }>;
};

/** The config a change replaced, kept until the change is proven: what a rollback puts back. */
export interface SavedConfig {
  /** Null: the switch did not run on this host before the change. */
  switch: RunningSwitch | null;
  management: ManagementPlacement | null;
}

/**
 * A host's running compute config in its store: the switches it runs, their saved (pre-change)
 * configs, the management port's place, the DCN ports it was asked for and the logical ports it
 * realized. Writes only what changed; reads records of older layouts.
 */
export class RunningConfigStore {
  /** Switches read from a record that carried their ports: the next write gives the ports their own key. */
  private readonly portsUnwritten = new Set<string>();

  constructor(private readonly store: HostStore) {}

  loadSwitches(): Map<string, RunningSwitch> {
    const switches = new Map<string, RunningSwitch>();
    for (const [key, value] of this.store.entries<unknown>(COMPUTE_NS)) {
      if (!key.startsWith(SWITCH_KEY)) continue;
      const id = key.slice(SWITCH_KEY.length);
      const ports = this.store.get<RunningPort[]>(COMPUTE_NS, `${PORTS_KEY}${id}`);
      if (!ports) this.portsUnwritten.add(id);
      switches.set(id, runningFrom(value as StoredSwitch, ports));
    }
    return switches;
  }

  /** Writes `sw` (replacing `before`): its config and its ports, each only when it changed. */
  put(sw: RunningSwitch, before: RunningSwitch | undefined): void {
    if (!before || !sameConfig(before, sw)) this.store.put(COMPUTE_NS, `${SWITCH_KEY}${sw.id}`, sw);
    const unwritten = this.portsUnwritten.delete(sw.id);
    if (!before || before.ports !== sw.ports || unwritten) this.store.put(COMPUTE_NS, `${PORTS_KEY}${sw.id}`, sw.ports);
  }

  /** The switch no longer runs here. */
  drop(switchId: string): void {
    this.portsUnwritten.delete(switchId);
    for (const prefix of [SWITCH_KEY, PORTS_KEY]) this.store.delete(COMPUTE_NS, `${prefix}${switchId}`);
    this.discardSaved(switchId);
  }

  /** Keeps the config a change replaces; its ports and management place only when the change changes them. */
  save(switchId: string, saved: SavedConfig, next: RunningSwitch, nextManagement: ManagementPlacement | null): void {
    const running = saved.switch;
    if (running) this.store.put(COMPUTE_NS, `${SAVED_KEY}${switchId}`, running);
    else this.store.delete(COMPUTE_NS, `${SAVED_KEY}${switchId}`);
    if (running && next.ports !== running.ports) this.store.put(COMPUTE_NS, `${SAVED_PORTS_KEY}${switchId}`, running.ports);
    else this.store.delete(COMPUTE_NS, `${SAVED_PORTS_KEY}${switchId}`);
    if (!samePlace(saved.management, nextManagement)) this.store.put(COMPUTE_NS, `${SAVED_MANAGEMENT_KEY}${switchId}`, { placement: saved.management });
    else this.store.delete(COMPUTE_NS, `${SAVED_MANAGEMENT_KEY}${switchId}`);
  }

  /**
   * The saved config of a switch (its switch null when it did not run here before the change);
   * `running` and `management` give what the change did not change.
   */
  saved(switchId: string, running: RunningSwitch | undefined, management: ManagementPlacement | null): SavedConfig {
    const place = this.store.get<{ placement: ManagementPlacement | null }>(COMPUTE_NS, `${SAVED_MANAGEMENT_KEY}${switchId}`);
    const config = this.store.get<StoredSwitch>(COMPUTE_NS, `${SAVED_KEY}${switchId}`);
    const ports = this.store.get<RunningPort[]>(COMPUTE_NS, `${SAVED_PORTS_KEY}${switchId}`) ?? running?.ports;
    return { switch: config ? runningFrom(config, ports) : null, management: place ? place.placement : management };
  }

  discardSaved(switchId: string): void {
    for (const prefix of [SAVED_KEY, SAVED_PORTS_KEY, SAVED_MANAGEMENT_KEY]) this.store.delete(COMPUTE_NS, `${prefix}${switchId}`);
  }

  management(): ManagementPlacement | null {
    return this.store.get<ManagementPlacement>(COMPUTE_NS, MANAGEMENT_KEY) ?? null;
  }

  putManagement(placement: ManagementPlacement | null): void {
    this.store.put(COMPUTE_NS, MANAGEMENT_KEY, placement);
  }

  desiredPorts(): HostPortsDesired | null {
    return this.store.get<HostPortsDesired>(COMPUTE_NS, DESIRED_PORTS_KEY) ?? null;
  }

  putDesiredPorts(desired: HostPortsDesired): void {
    this.store.put(COMPUTE_NS, DESIRED_PORTS_KEY, desired);
  }

  logicalPorts(): RunningLogicalPort[] {
    return this.store.get<RunningLogicalPort[]>(COMPUTE_NS, LOGICAL_PORTS_KEY) ?? [];
  }

  putLogicalPorts(ports: RunningLogicalPort[]): void {
    this.store.put(COMPUTE_NS, LOGICAL_PORTS_KEY, ports);
  }

  whenDurable(): Promise<void> {
    return this.store.whenDurable();
  }
}

function runningFrom(stored: StoredSwitch, ports: RunningPort[] | undefined | readonly RunningPort[]): RunningSwitch {
  const { ports: inline, groupsAppliedAt, ...config } = stored;
  return {
    ...config,
    // Such an older record's ports carry their VLAN changes in their own revision.
    groupsAppliedAt: groupsAppliedAt ?? {},
    ports: ports ?? (inline ?? []).map(({ vlanId: _v, ...p }) => p),
  };
}

const samePlace = (a: ManagementPlacement | null, b: ManagementPlacement | null): boolean =>
  a?.switchId === b?.switchId && a?.portGroupId === b?.portGroupId;

export function sameConfig(a: RunningSwitch, b: RunningSwitch): boolean {
  return (
    a.revision === b.revision &&
    a.portGroups === b.portGroups &&
    a.groupsAppliedAt === b.groupsAppliedAt &&
    a.name === b.name &&
    a.mtu === b.mtu &&
    a.rollbackTimeoutMs === b.rollbackTimeoutMs
  );
}
