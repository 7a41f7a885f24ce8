import { DEFAULT_POLICY, type HostPortsDesired, type PortGroupConfig, type SwitchDesired } from '@vnet/contracts';
import type { JournalEntry, JournalWriter } from '../audit/journal-entry.js';
import type { HostStore } from '../store/host-store.js';
import { TimerWheel } from '../common/timer-wheel.js';
import { ManagementLink } from '../link/management-link.js';
import { ApplyConfirmation } from './apply-confirmation.js';
import { HostCompute } from './host-compute.js';
import { COMPUTE_NS } from './running-config.store.js';

/** The store as HostCompute uses it, recording what each change writes. */
class FakeStore {
  readonly data = new Map<string, unknown>();
  writes: string[] = [];
  entries<T>(ns: string): IterableIterator<[string, T]> {
    return new Map([...this.data].filter(([k]) => k.startsWith(`${ns}/`)).map(([k, v]) => [k.slice(ns.length + 1), v as T])).entries();
  }
  get<T>(ns: string, key: string): T | undefined {
    return this.data.get(`${ns}/${key}`) as T | undefined;
  }
  put(ns: string, key: string, value: unknown): void {
    this.writes.push(key);
    // As the compute codec writes it: a switch's config without its ports.
    const written = (key.startsWith('switch:') || key.startsWith('saved:')) && value ? { ...(value as object), ports: undefined } : value;
    this.data.set(`${ns}/${key}`, structuredClone(written));
  }
  delete(ns: string, key: string): boolean {
    if (!this.data.delete(`${ns}/${key}`)) return false;
    this.writes.push(`-${key}`);
    return true;
  }
  whenDurable(): Promise<void> {
    return Promise.resolve();
  }
  lazily<T>(change: () => T): T {
    return change();
  }
}

const pg = (id: string, vlanId: number, changedAtRevision: number): PortGroupConfig => ({ id, name: id, vlanId, management: false, policy: DEFAULT_POLICY, changedAtRevision });
const desired = (revision: number, portGroups: PortGroupConfig[]): SwitchDesired => ({
  id: 's1', name: 'dvs', revision, mtu: 1500, rollbackTimeoutMs: 30000, hostIds: ['h1'], portGroups, rollback: true,
});
const ports = (n: number): HostPortsDesired => ({
  hostId: 'h1',
  revision: 1,
  ports: Array.from({ length: n }, (_, i) => ({ id: `p${i}`, dcnId: 'd1', nicId: `n${i}`, network: { kind: 'port-group' as const, switchId: 's1', portGroupId: 'web' } })),
});

let now = 1_000_000;
/** A round trip sent after the latest change came back: the change is proven, the next one saves what runs. */
function proven(compute: HostCompute): void {
  now += 10;
  compute.roundTripBack(now);
}

function host(store: FakeStore, wheel = new TimerWheel(100), sent: unknown[] = [], journal: JournalWriter = { append: () => undefined }): HostCompute {
  const target = { id: 'h1', link: new ManagementLink(), roundTrips: { lastRoundTripAt: null } };
  return new HostCompute({
    hostId: 'h1',
    store: store as unknown as HostStore,
    journal,
    setManagementVlan: () => undefined,
    constructRevision: () => undefined,
    target,
    repairs: { request: async () => null },
    wheel,
    clock: { now: () => now },
    log: () => undefined,
    confirmation: new ApplyConfirmation({
      target,
      channel: { roundTrip: async () => true, send: (_t, status) => sent.push(status) > 0 },
      whenDurable: () => Promise.resolve(),
      wheel,
    }),
    reportChanged: () => undefined,
  });
}

describe('HostCompute: what a change writes to the host store', () => {
  it("a port group's VLAN change writes the switch's config, not its ports", () => {
    const store = new FakeStore();
    const compute = host(store);
    compute.applySwitch(desired(1, [pg('web', 10, 1)]));
    compute.applyPorts(ports(30));
    expect(store.writes).toContain('switch-ports:s1');
    proven(compute);
    store.writes = [];
    compute.applySwitch(desired(2, [pg('web', 20, 2)]));
    expect(store.writes).toEqual(['change:s1', 'saved:s1', 'switch:s1']);
    const [view] = compute.computeSwitchesView();
    expect(view.ports).toHaveLength(30);
    expect(view.ports.every((p) => p.vlanId === 20 && p.appliedAtRevision === 2)).toBe(true);
  });

  it('a change of the ports writes them, and the ports they replace beside the saved config', () => {
    const store = new FakeStore();
    const compute = host(store);
    compute.applySwitch(desired(1, [pg('web', 10, 1), pg('db', 11, 1)]));
    compute.applyPorts(ports(2));
    proven(compute);
    store.writes = [];
    // The port group the ports are on goes away: the ports go with it.
    compute.applySwitch(desired(2, [pg('db', 11, 1)]));
    expect(store.writes).toEqual(['change:s1', 'saved:s1', 'saved-ports:s1', 'switch:s1', 'switch-ports:s1']);
    expect(compute.computeSwitchesView()[0].ports).toEqual([]);
  });

  it('reads back after a restart what it ran, written the way it is now or with the ports inside the config', () => {
    const store = new FakeStore();
    const compute = host(store);
    compute.applySwitch(desired(1, [pg('web', 10, 1)]));
    compute.applyPorts(ports(2));
    compute.applySwitch(desired(3, [pg('web', 20, 3)]));
    const before = compute.computeSwitchesView();
    expect(host(store).computeSwitchesView()).toEqual(before);

    const older = new FakeStore();
    const { portGroups, revision, id, name, mtu, rollbackTimeoutMs } = desired(3, [pg('web', 20, 3)]);
    older.data.set(`${COMPUTE_NS}/switch:s1`, {
      id, name, revision, mtu, rollbackTimeoutMs, portGroups,
      ports: before[0].ports.map((p) => ({ ...p })),
    });
    older.data.set(`${COMPUTE_NS}/ports`, ports(2));
    const upgraded = host(older);
    expect(upgraded.computeSwitchesView()).toEqual(before);
    // Its first change writes the config without the ports, and the ports under their own key.
    upgraded.applySwitch(desired(4, [pg('web', 30, 4)]));
    expect(older.writes).toEqual(['change:s1', 'saved:s1', 'switch:s1', 'switch-ports:s1']);
    expect(host(older).computeSwitchesView()[0].ports.map((p) => [p.id, p.vlanId])).toEqual([
      ['p0', 30],
      ['p1', 30],
    ]);
  });
});

describe('HostCompute: a change not proven in time is rolled back', () => {
  const mgmt = (vlanId: number, changedAtRevision: number): PortGroupConfig => ({ ...pg('mgmt', vlanId, changedAtRevision), management: true });
  const vlanOfManagement = (compute: HostCompute) => compute.computeSwitchesView()[0].ports.find((p) => p.id === 'mgmt-h1')?.vlanId;
  const settle = () => new Promise((r) => setImmediate(r));
  const fast = (revision: number, groups: PortGroupConfig[]): SwitchDesired => ({ ...desired(revision, groups), rollbackTimeoutMs: 3000 });

  it('restores the saved config at the deadline, reports it, skips that revision after, and applies a newer one', async () => {
    const store = new FakeStore();
    const wheel = new TimerWheel(100, () => now);
    const sent: Array<{ state: string; revision: number; restoredRevision?: number }> = [];
    const compute = host(store, wheel, sent);
    compute.applySwitch(fast(1, [mgmt(10, 1)]));
    proven(compute);
    compute.applySwitch(fast(2, [mgmt(20, 2)]));
    expect(vlanOfManagement(compute)).toBe(20);
    expect(compute.pendingRollback()).toEqual({ switchId: 's1', savedRevision: 1, deadline: new Date(now + 3000).toISOString() });
    now += 2000;
    wheel.runDue();
    expect(vlanOfManagement(compute)).toBe(20);
    now += 2000;
    wheel.runDue();
    expect(compute.pendingRollback()).toBeNull();
    expect(vlanOfManagement(compute)).toBe(10);
    expect(compute.computeSwitchesView()[0].revision).toBe(1);
    // After a restart too, the rolled-back revision is not applied again, and is reported as such.
    const restarted = host(store, wheel, sent);
    restarted.applySwitch(fast(2, [mgmt(20, 2)]));
    await settle();
    expect(vlanOfManagement(restarted)).toBe(10);
    expect(sent.at(-1)).toMatchObject({ state: 'rolled_back', revision: 2, restoredRevision: 1 });
    restarted.applySwitch(fast(3, [mgmt(30, 3)]));
    expect(vlanOfManagement(restarted)).toBe(30);
    expect(restarted.pendingRollback()?.savedRevision).toBe(1);
  });

  it("journals what it applied, proved and rolled back, in order, and takes no revision twice", () => {
    const wheel = new TimerWheel(100, () => now);
    const entries: JournalEntry[] = [];
    const compute = host(new FakeStore(), wheel, [], { append: (e) => void entries.push(e) });
    compute.applySwitch(fast(1, [mgmt(10, 1), pg('web', 11, 1)]));
    compute.applyPorts(ports(2));
    proven(compute);
    compute.applySwitch(fast(1, [mgmt(10, 1), pg('web', 11, 1)]));
    compute.applySwitch(fast(2, [mgmt(20, 2), pg('web', 11, 1)]));
    now += 4000;
    wheel.runDue();
    compute.dropSwitch('s1');
    expect(entries.map((e) => e.type)).toEqual([
      'SwitchRevisionApplied', 'PortsApplied', 'ChangeProven', 'SwitchRevisionApplied', 'ChangeRolledBack', 'SwitchDropped',
    ]);
    expect(entries[0].data).toEqual({ switchId: 's1', revision: 1, fromRevision: 0, portsChanged: 1 });
    expect(entries[1].data).toEqual({ revision: 1, added: ['p0', 'p1'], removed: [], changed: [] });
    expect(entries[2].data).toEqual({ switchId: 's1', revision: 1 });
    expect(entries[3].data).toEqual({ switchId: 's1', revision: 2, fromRevision: 1, portsChanged: 1 });
    expect(entries[4].data).toMatchObject({ switchId: 's1', revision: 2, restoredRevision: 1 });
    expect(entries[5].data).toEqual({ switchId: 's1', revision: 1 });
  });

  it('rollback=false: nothing saved, nothing pending, and the change stays past any deadline', () => {
    const store = new FakeStore();
    const wheel = new TimerWheel(100, () => now);
    const compute = host(store, wheel);
    compute.applySwitch(fast(1, [mgmt(10, 1)]));
    proven(compute);
    store.writes = [];
    compute.applySwitch({ ...fast(2, [mgmt(20, 2)]), rollback: false });
    expect(store.writes.filter((w) => w.startsWith('saved'))).toEqual([]);
    expect(compute.pendingRollback()).toBeNull();
    now += 60_000;
    wheel.runDue();
    expect(vlanOfManagement(compute)).toBe(20);
  });
});
