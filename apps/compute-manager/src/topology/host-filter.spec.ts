import { ALL_HOSTS, countSwitchHosts, filterHosts, pageOf } from './host-filter.js';
import type { HostEntry } from './topology.js';

const host = (id: string, connectionState: HostEntry['connectionState'], switchIds: string[] = [], logicalNetworks: string[] = []): HostEntry => ({
  id,
  connectionState,
  switchIds,
  logicalNetworks,
});

describe('host filter', () => {
  const hosts = [host('host-10', 'connected', ['s1'], ['n-web']), host('host-2', 'connected', ['s2']), host('host-1', 'disconnected', ['s1']), host('rack7-a', 'connected')];
  const names = new Map([['n-web', 'web-tier'], ['s1', 'dvs-east']]);

  it('shows disconnected hosts first, then the rest in natural order', () => {
    expect(filterHosts(hosts, ALL_HOSTS).map((h) => h.id)).toEqual(['host-1', 'host-2', 'host-10', 'rack7-a']);
  });

  it('filters by state and by switch', () => {
    expect(filterHosts(hosts, { ...ALL_HOSTS, state: 'connected' }).map((h) => h.id)).toEqual(['host-2', 'host-10', 'rack7-a']);
    expect(filterHosts(hosts, { ...ALL_HOSTS, switchId: 's1' }).map((h) => h.id)).toEqual(['host-1', 'host-10']);
    expect(filterHosts(hosts, { ...ALL_HOSTS, state: 'disconnected', switchId: 's2' })).toEqual([]);
  });

  it("searches host ids, case-insensitive, and the names of a host's networks and switches", () => {
    expect(filterHosts(hosts, { ...ALL_HOSTS, query: ' RACK ' }).map((h) => h.id)).toEqual(['rack7-a']);
    expect(filterHosts(hosts, { ...ALL_HOSTS, query: 'web-tier' }, names).map((h) => h.id)).toEqual(['host-10']);
    expect(filterHosts(hosts, { ...ALL_HOSTS, query: 'dvs-east' }, names).map((h) => h.id)).toEqual(['host-1', 'host-10']);
  });
});

describe('pages', () => {
  const items = Array.from({ length: 2000 }, (_, i) => i);

  it('holds one page of 2,000 items, and says how many pages there are', () => {
    const page = pageOf(items, 3, 50);
    expect(page.items).toEqual(items.slice(150, 200));
    expect(page).toMatchObject({ index: 3, pages: 40, total: 2000 });
  });

  it('clamps an index out of range (a filter made the list shorter)', () => {
    expect(pageOf(items, 99, 50).index).toBe(39);
    expect(pageOf(items, -1, 50).index).toBe(0);
    expect(pageOf([], 2, 50)).toEqual({ items: [], index: 0, pages: 1, total: 0 });
  });
});

describe("a switch's members", () => {
  it('are counted by connection state, members not yet seen apart', () => {
    const byId = new Map([host('h1', 'connected'), host('h2', 'disconnected')].map((h) => [h.id, h]));
    expect(countSwitchHosts({ id: 's', name: 'dvs', revision: 1, hostIds: ['h1', 'h2', 'h3'], portGroups: [] }, byId)).toEqual({
      switchId: 's',
      connected: 1,
      disconnected: 1,
      unknown: 1,
    });
  });
});
