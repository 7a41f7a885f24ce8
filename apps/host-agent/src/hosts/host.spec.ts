import type { Logger } from '@nestjs/common';
import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { ThrottledLog } from '../common/throttled-log.js';
import { TimerWheel } from '../common/timer-wheel.js';
import { ConstructCatalog } from '../network-switch/construct-catalog.js';
import type { HostContext } from './host-context.js';
import { Host } from './host.js';
import { tempDirPerTest } from '../../../../test/harness/temp-dir.js';

const Z = '11111111-1111-4111-8111-111111111111';
const net = (id: string, revision = 1): LogicalNetworkConstruct => ({
  id,
  name: id,
  vni: 7,
  mtu: 1500,
  transportZoneId: Z,
  revision,
  owner: 'network-manager',
});
const settle = () => new Promise((r) => setImmediate(r));

/** A host on a real store, with the shared machinery replaced by recorders. */
async function makeHost(dir: string, desired: { zones: string[]; networks: LogicalNetworkConstruct[] }) {
  const calls = { reads: 0, reportsMarked: 0, commitsMarked: 0 };
  const ctx: HostContext = {
    catalog: new ConstructCatalog(),
    feeds: { join: async () => undefined, leave: () => undefined, transportNodesReady: async () => undefined },
    source: {
      transportZones: async () => {
        calls.reads++;
        return desired.zones;
      },
      zoneNetworks: async () => desired.networks,
    },
    // Group commit, immediately: what a host waits for gets written.
    commits: {
      markDirty: (target) => {
        calls.commitsMarked++;
        setImmediate(() => void target.commit());
      },
      markLazy: (target) => setImmediate(() => void target.commit()),
    },
    reports: { markDirty: () => calls.reportsMarked++ },
    moduleData: { markDirty: () => undefined },
    retries: new TimerWheel(100),
    throttled: new ThrottledLog({ warn: () => undefined }, 1000),
    compute: {
      source: { ready: Promise.resolve(), switches: () => [], ports: () => undefined },
      channel: { roundTrip: async () => true, send: () => true },
      repairs: { request: async () => null },
    },
    clock: { now: () => Date.parse('2025-01-01T00:00:00Z') },
    logger: { warn: () => undefined, log: () => undefined } as unknown as Logger,
  };
  const host = await Host.open(dir, 'host-1', ctx);
  return { host, calls, ctx };
}

describe('host', () => {
  const dir = tempDirPerTest('host');

  it('syncs at start and reports in full once what it applied is on disk', async () => {
    const { host, calls } = await makeHost(dir(), { zones: [Z], networks: [net('a')] });
    host.start();
    await settle();
    expect(host.networkSwitch.constructs()).toEqual([net('a')]);
    await host.store.whenDurable();
    await settle();
    expect(calls.reportsMarked).toBeGreaterThan(0);
    expect(host.reports.plan(() => host.durableConstructs())[0]).toMatchObject({ held: [net('a')] });
  });

  it('drops what it receives while its link is cut, and reads the desired state back when traffic returns', async () => {
    const desired = { zones: [Z], networks: [net('a')] };
    const { host, calls } = await makeHost(dir(), desired);
    host.start();
    await settle();
    await host.setUplink({ allowedVlans: [100] });
    expect(host.link.flows).toBe(false);
    host.receive({ kind: 'network', construct: net('a', 2) });
    host.receive({ kind: 'network', construct: net('b') });
    expect(host.networkSwitch.constructs()).toEqual([net('a')]);
    desired.networks = [net('a', 3), net('b')];
    const readsBefore = calls.reads;
    await host.setUplink({ allowedVlans: [0, 100] });
    await settle();
    expect(calls.reads).toBe(readsBefore + 1);
    expect(host.networkSwitch.constructs()).toEqual([net('a', 3), net('b')]);
  });

  it('drops the reports waiting when its link cuts', async () => {
    const { host } = await makeHost(dir(), { zones: [Z], networks: [] });
    host.start();
    await settle();
    host.receive({ kind: 'network', construct: net('a') });
    await host.commit();
    expect(host.reports.hasWork).toBe(true);
    await host.setUplink({ allowedVlans: [5] });
    expect(host.reports.hasWork).toBe(false);
  });

  it('serves from its store after a restart, uplink included, before hearing from anyone', async () => {
    const first = await makeHost(dir(), { zones: [Z], networks: [net('a'), net('b')] });
    first.host.start();
    await settle();
    await first.host.setUplink({ allowedVlans: [42] });
    await first.host.commit();
    const again = await makeHost(dir(), { zones: [], networks: [] });
    expect(again.host.view()).toMatchObject({
      hostId: 'host-1',
      managementConnected: false,
      networkSwitch: { logicalNetworks: [net('a'), net('b')], ports: [] },
      uplink: { allowedVlans: [42] },
      pendingRollback: null,
      computeSwitches: [],
    });
    expect(again.host.link.flows).toBe(false);
    again.host.start();
    await settle();
    expect(again.calls.reads).toBe(0);
    expect(again.host.createdAt).toBe(first.host.createdAt);
  });

  it('lets other code move its management port to another VLAN', async () => {
    const { host } = await makeHost(dir(), { zones: [], networks: [] });
    await host.setUplink({ allowedVlans: [0, 20] });
    host.setManagementVlan(30);
    expect(host.link.flows).toBe(false);
    host.setManagementVlan(20);
    expect(host.link.flows).toBe(true);
  });
});
