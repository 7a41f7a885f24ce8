import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { JournalEntry, JournalWriter } from '../audit/journal-entry.js';
import { StoreState } from '../store/store-state.js';
import type { KeyValueStore } from '../store/key-value-store.js';
import { ConstructCatalog } from './construct-catalog.js';
import { CONSTRUCTS_NS, NetworkSwitch } from './network-switch.js';

const Z1 = '11111111-1111-4111-8111-111111111111';
const Z2 = '22222222-2222-4222-8222-222222222222';
const net = (id: string, revision = 1, zone = Z1, name = `net-${id}`): LogicalNetworkConstruct => ({
  id,
  name,
  vni: 5000 + revision,
  mtu: 1500,
  transportZoneId: zone,
  revision,
  owner: 'network-manager',
});

/** The in-memory side of a store is a store without a disk. */
function memoryStore(): KeyValueStore & { state: StoreState } {
  const state = new StoreState();
  return {
    state,
    get: (ns, k) => state.get(ns, k),
    has: (ns, k) => state.has(ns, k),
    size: (ns) => state.size(ns),
    values: (ns) => state.values(ns),
    entries: (ns) => state.entries(ns),
    put: (ns, k, v) => state.put(ns, k, v),
    delete: (ns, k) => state.delete(ns, k),
    whenDurable: () => state.whenDurable(),
    durableEntries: (ns) => state.durableEntries(ns),
  };
}

/** A journal that keeps what it is given. */
const recording = (): JournalWriter & { entries: JournalEntry[] } => {
  const entries: JournalEntry[] = [];
  return { entries, append: (e) => void entries.push(e) };
};

describe('network switch', () => {
  let store: ReturnType<typeof memoryStore>;
  let sw: NetworkSwitch;
  let journal: ReturnType<typeof recording>;
  beforeEach(() => {
    store = memoryStore();
    journal = recording();
    sw = new NetworkSwitch(store, new ConstructCatalog(), journal);
    sw.setZones([Z1]);
  });

  it('takes a construct of one of its zones and stores it', () => {
    expect(sw.upsert(net('a'))).toEqual({ type: 'upserted', construct: net('a') });
    expect(sw.constructs()).toEqual([net('a')]);
    expect(store.get(CONSTRUCTS_NS, 'a')).toEqual(net('a'));
  });

  it('takes a construct only when its revision is newer than the one held', () => {
    sw.upsert(net('a', 2));
    expect(sw.upsert(net('a', 1))).toBeNull();
    expect(sw.upsert(net('a', 2, Z1, 'same revision, other name'))).toBeNull();
    expect(sw.get('a')?.revision).toBe(2);
    expect(sw.upsert(net('a', 3, Z1, 'renamed'))).toMatchObject({ type: 'upserted' });
    expect(sw.get('a')).toEqual(net('a', 3, Z1, 'renamed'));
  });

  it('ignores constructs of zones it is not in', () => {
    expect(sw.upsert(net('b', 1, Z2))).toBeNull();
    expect(sw.constructs()).toEqual([]);
  });

  it('removes a construct on a delete of its key, and only from the zone the key names', () => {
    sw.upsert(net('a'));
    expect(sw.remove(Z2, 'a')).toBeNull();
    expect(sw.remove(Z1, 'a')).toEqual({ type: 'removed', id: 'a' });
    expect(sw.remove(Z1, 'a')).toBeNull();
    expect(store.has(CONSTRUCTS_NS, 'a')).toBe(false);
  });

  it('drops the constructs of a zone it leaves, and says which zones came and went', () => {
    sw.setZones([Z1, Z2]);
    sw.upsert(net('a'));
    sw.upsert(net('b', 1, Z2));
    const change = sw.setZones([Z2, '33333333-3333-4333-8333-333333333333']);
    expect(change.added).toEqual(['33333333-3333-4333-8333-333333333333']);
    expect(change.removed).toEqual([Z1]);
    expect(change.changes).toEqual([{ type: 'removed', id: 'a' }]);
    expect(sw.constructs().map((c) => c.id)).toEqual(['b']);
  });

  it('drops constructs of zones it is no longer in after a restart, when its zones are not known yet', () => {
    store.put(CONSTRUCTS_NS, 'old', net('old', 1, Z2));
    const restarted = new NetworkSwitch(store, new ConstructCatalog(), recording());
    expect(restarted.setZones([Z1]).changes).toEqual([{ type: 'removed', id: 'old' }]);
  });

  it('replaces a zone with a fresh read: newer taken, missing dropped, other zones untouched', () => {
    sw.setZones([Z1, Z2]);
    sw.upsert(net('keep', 2));
    sw.upsert(net('stale', 1));
    sw.upsert(net('gone', 1));
    sw.upsert(net('other', 1, Z2));
    const changes = sw.replaceZone(Z1, [net('keep', 1), net('stale', 2), net('new', 1), net('wrong-zone', 1, Z2)]);
    expect(changes).toEqual([
      { type: 'upserted', construct: net('stale', 2) },
      { type: 'upserted', construct: net('new', 1) },
      { type: 'removed', id: 'gone' },
    ]);
    expect(sw.constructs().map((c) => [c.id, c.revision])).toEqual([
      ['keep', 2],
      ['stale', 2],
      ['other', 1],
      ['new', 1],
    ]);
  });

  it('journals each construct it takes or drops, with its revision, and nothing it ignores', () => {
    sw.upsert(net('a', 2));
    sw.upsert(net('a', 1));
    sw.upsert(net('b', 1, Z2));
    sw.setZones([Z2]);
    expect(journal.entries).toEqual([
      { type: 'ConstructApplied', data: { networkId: 'a', revision: 2, transportZoneId: Z1 } },
      { type: 'ConstructRemoved', data: { networkId: 'a', revision: 2 } },
    ]);
  });

  it('reports as held only what is on disk', () => {
    sw.upsert(net('a'));
    store.state.beginFlush();
    store.state.endFlush(true);
    sw.upsert(net('b'));
    expect(sw.durableConstructs().map((c) => c.id)).toEqual(['a']);
    expect(sw.count).toBe(2);
  });

  it('holds one shared object per construct revision across hosts', () => {
    const catalog = new ConstructCatalog();
    const [h1, h2] = [
      new NetworkSwitch(memoryStore(), catalog, recording()),
      new NetworkSwitch(memoryStore(), catalog, recording()),
    ];
    h1.setZones([Z1]);
    h2.setZones([Z1]);
    h1.upsert(net('a'));
    h2.upsert(net('a'));
    expect(h1.get('a')).toBe(h2.get('a'));
  });
});
