import type { Logger } from '@nestjs/common';
import { ConflictError } from '@vnet/events';
import { ThrottledLog } from '../common/throttled-log.js';
import { TimerWheel } from '../common/timer-wheel.js';
import { ConstructCatalog } from '../network-switch/construct-catalog.js';
import type { HostContext } from './host-context.js';
import { HostRegistry } from './host-registry.js';
import { tempDirPerTest } from '../../../../test/harness/temp-dir.js';

function context(now: () => number): HostContext {
  return {
    catalog: new ConstructCatalog(),
    feeds: { join: async () => undefined, leave: () => undefined, transportNodesReady: async () => undefined },
    source: { transportZones: async () => [], zoneNetworks: async () => [] },
    commits: { markDirty: (t) => setImmediate(() => void t.commit()), markLazy: (t) => setImmediate(() => void t.commit()) },
    reports: { markDirty: () => undefined },
    moduleData: { markDirty: () => undefined },
    retries: new TimerWheel(100),
    throttled: new ThrottledLog({ warn: () => undefined }, 1000),
    clock: { now },
    compute: {
      source: { ready: Promise.resolve(), switches: () => [], ports: () => undefined },
      channel: { roundTrip: async () => true, send: () => true },
      repairs: { request: async () => null },
    },
    logger: { warn: () => undefined } as unknown as Logger,
  };
}

describe('host registry', () => {
  const dir = tempDirPerTest('hosts');
  let now = Date.parse('2025-01-01T00:00:00Z');

  const ids = (r: HostRegistry) => r.list().map((h) => h.id);

  it('serves host-1…host-N in their natural order, then added hosts, oldest first', async () => {
    const registry = new HostRegistry(
      { hostsDir: dir(), count: 11 },
      context(() => now),
    );
    await registry.load();
    expect(ids(registry).slice(0, 3)).toEqual(['host-1', 'host-2', 'host-3']);
    expect(ids(registry).at(-1)).toBe('host-11');
    now += 1000;
    expect((await registry.add('edge')).created).toBe(true);
    expect((await registry.add('edge')).created).toBe(false);
    expect(ids(registry).at(-1)).toBe('edge');
  });

  it('serves again after a restart every host found on disk, in the same order', async () => {
    const first = new HostRegistry(
      { hostsDir: dir(), count: 2 },
      context(() => now),
    );
    await first.load();
    now += 1000;
    await first.add('edge');
    const again = new HostRegistry(
      { hostsDir: dir(), count: 1 },
      context(() => now + 5000),
    );
    await again.load();
    expect(ids(again)).toEqual(['host-1', 'host-2', 'edge']);
  });

  it('serves only HOST_ID when given, whatever else the directory holds', async () => {
    await new HostRegistry(
      { hostsDir: dir(), count: 2 },
      context(() => now),
    ).load();
    const single = new HostRegistry(
      { hostsDir: dir(), count: 4, singleHost: 'hv-7' },
      context(() => now),
    );
    await single.load();
    expect(ids(single)).toEqual(['hv-7']);
    expect((await single.add('hv-7')).created).toBe(false);
    await expect(single.add('other')).rejects.toBeInstanceOf(ConflictError);
  });
});
