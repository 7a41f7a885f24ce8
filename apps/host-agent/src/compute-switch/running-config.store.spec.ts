import { DEFAULT_POLICY } from '@vnet/contracts';
import type { HostStore } from '../store/host-store.js';
import type { RunningSwitch } from './compute-state.js';
import { COMPUTE_NS, RunningConfigStore } from './running-config.store.js';

class MapStore {
  readonly data = new Map<string, unknown>();
  entries<T>(ns: string): IterableIterator<[string, T]> {
    return new Map([...this.data].filter(([k]) => k.startsWith(`${ns}/`)).map(([k, v]) => [k.slice(ns.length + 1), v as T])).entries();
  }
  get<T>(ns: string, key: string): T | undefined {
    return this.data.get(`${ns}/${key}`) as T | undefined;
  }
  put(ns: string, key: string, value: unknown): void {
    this.data.set(`${ns}/${key}`, structuredClone(value));
  }
  delete(ns: string, key: string): boolean {
    return this.data.delete(`${ns}/${key}`);
  }
}

const sw = (revision: number, vlanId: number, portIds: string[]): RunningSwitch => ({
  id: 's1', name: 'dvs', revision, mtu: 1500, rollbackTimeoutMs: 3000, groupsAppliedAt: { pg: revision },
  portGroups: [{ id: 'pg', name: 'pg', vlanId, management: true, policy: DEFAULT_POLICY, changedAtRevision: revision }],
  ports: portIds.map((id) => ({ id, portGroupId: 'pg', connectee: { type: 'management' as const }, appliedAtRevision: revision })),
});

describe('running config store', () => {
  it('reads back the switches it wrote', () => {
    const store = new MapStore();
    const config = new RunningConfigStore(store as unknown as HostStore);
    config.put(sw(2, 10, ['a']), undefined);
    expect(new RunningConfigStore(store as unknown as HostStore).loadSwitches().get('s1')).toEqual(sw(2, 10, ['a']));
  });

  it('keeps a saved config with its ports and management place only where the change changed them', () => {
    const store = new MapStore();
    const config = new RunningConfigStore(store as unknown as HostStore);
    const before = sw(2, 10, ['a']);
    const place = { switchId: 's1', portGroupId: 'pg' };
    // Same ports, same place: neither is saved apart; reading back takes the running ones.
    const next = { ...sw(3, 20, []), ports: before.ports };
    config.save('s1', { switch: before, management: place }, next, place);
    expect([...store.data.keys()].sort()).toEqual([`${COMPUTE_NS}/saved:s1`]);
    expect(config.saved('s1', next, place)).toEqual({ switch: { ...before, ports: next.ports }, management: place });
    // Other ports and another place: both saved.
    config.save('s1', { switch: before, management: place }, sw(3, 20, ['b']), null);
    expect(config.saved('s1', sw(3, 20, ['b']), null)).toEqual({ switch: before, management: place });
    config.discardSaved('s1');
    expect([...store.data.keys()]).toEqual([]);
  });

  it('a switch that did not run before the change is saved as none', () => {
    const store = new MapStore();
    const config = new RunningConfigStore(store as unknown as HostStore);
    config.save('s1', { switch: null, management: null }, sw(1, 10, ['a']), { switchId: 's1', portGroupId: 'pg' });
    expect(config.saved('s1', sw(1, 10, ['a']), { switchId: 's1', portGroupId: 'pg' })).toEqual({ switch: null, management: null });
  });
});
