import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { DesiredUpdate } from '../network-switch/desired-update.js';
import { HostSync, type SyncSource, type SyncTarget } from './host-sync.js';

const net = (id: string, zone: string, revision = 1): LogicalNetworkConstruct => ({
  id,
  name: id,
  vni: 1,
  mtu: 1500,
  transportZoneId: zone,
  revision,
  owner: 'network-manager',
});

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const settle = () => new Promise((r) => setImmediate(r));

/** A host reduced to a log of what the sync made it do. */
function fakeTarget() {
  const log: string[] = [];
  let zones: string[] = [];
  const state = { epoch: 0, flows: true, retries: [] as Array<() => void> };
  const target: SyncTarget = {
    id: 'host-1',
    watchTransportNode: async () => undefined,
    linkEpoch: () => state.epoch,
    linkFlows: () => state.flows,
    zones: () => zones,
    adoptZones: (z) => {
      zones = z;
      log.push(`zones ${z.join(',')}`);
    },
    joinZone: async (z) => void log.push(`join ${z}`),
    replaceZone: (z, cs) => log.push(`replace ${z} ${cs.map((c) => c.id).join(',')}`),
    apply: (u: DesiredUpdate) => log.push(`apply ${u.kind === 'network' ? u.construct.id : u.kind}`),
    synced: () => log.push('synced'),
    retryLater: (run) => state.retries.push(run),
    onSyncError: (err) => log.push(`error ${String((err as Error).message)}`),
  };
  return { target, log, state };
}

describe('host sync', () => {
  it('reads the host zones then each zone, and says when the host is synced', async () => {
    const { target, log } = fakeTarget();
    const source: SyncSource = {
      transportZones: async () => ['z1', 'z2'],
      zoneNetworks: async (z) => [net(`${z}-a`, z)],
    };
    new HostSync(target, source).requestFull();
    await settle();
    expect(log).toEqual(['zones z1,z2', 'join z1', 'join z2', 'replace z1 z1-a', 'replace z2 z2-a', 'synced']);
  });

  it('holds back what arrives during the read and replays it on top, in order', async () => {
    const { target, log } = fakeTarget();
    const zone = deferred<LogicalNetworkConstruct[]>();
    const sync = new HostSync(target, { transportZones: async () => ['z1'], zoneNetworks: () => zone.promise });
    sync.requestFull();
    await settle();
    expect(sync.holdBack({ kind: 'network', construct: net('late', 'z1', 2) })).toBe(true);
    expect(log).toEqual(['zones z1', 'join z1']);
    zone.resolve([net('late', 'z1', 1)]);
    await settle();
    expect(log.slice(2)).toEqual(['replace z1 late', 'apply late', 'synced']);
    expect(sync.holdBack({ kind: 'zones', zoneIds: [] })).toBe(false);
  });

  it('reads only the zone a host joined, without a full report', async () => {
    const { target, log } = fakeTarget();
    target.adoptZones(['z1', 'z3']);
    log.length = 0;
    new HostSync(target, { transportZones: async () => [], zoneNetworks: async (z) => [net('x', z)] }).requestZones(['z3', 'z9']);
    await settle();
    expect(log).toEqual(['join z3', 'replace z3 x']);
  });

  it('discards a read that crossed a link cut, and reads again when traffic returns', async () => {
    const { target, log, state } = fakeTarget();
    const zone = deferred<LogicalNetworkConstruct[]>();
    let reads = 0;
    const sync = new HostSync(target, {
      transportZones: async () => ['z1'],
      zoneNetworks: () => (++reads === 1 ? zone.promise : Promise.resolve([net('fresh', 'z1')])),
    });
    sync.requestFull();
    await settle();
    state.epoch++;
    state.flows = false;
    sync.cancel();
    zone.resolve([net('stale', 'z1')]);
    await settle();
    expect(log.some((l) => l.includes('stale'))).toBe(false);
    state.epoch++;
    state.flows = true;
    sync.requestFull();
    await settle();
    expect(log.filter((l) => l.startsWith('replace'))).toEqual(['replace z1 fresh']);
    expect(log.at(-1)).toBe('synced');
  });

  it('retries a failed read later and converges', async () => {
    const { target, log, state } = fakeTarget();
    let fail = true;
    const sync = new HostSync(target, {
      transportZones: async () => {
        if (fail) throw new Error('nats down');
        return ['z1'];
      },
      zoneNetworks: async () => [],
    });
    sync.requestFull();
    await settle();
    expect(log).toEqual(['error nats down']);
    expect(state.retries).toHaveLength(1);
    fail = false;
    state.retries.shift()!();
    await settle();
    expect(log.slice(1)).toEqual(['zones z1', 'join z1', 'replace z1 ', 'synced']);
  });
});
