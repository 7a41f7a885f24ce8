import {
  ACTIVITY_KEPT,
  type ActivityEntry,
  applyChange,
  diffTopology,
  emptyTopology,
  fromSnapshot,
  type HostEntry,
  isEmptyChange,
  mergeChanges,
  summarize,
  type Topology,
  taskEntry,
  toSnapshot,
} from './topology.js';

const host = (id: string, connectionState: HostEntry['connectionState'] = 'connected', logicalNetworks: string[] = []): HostEntry => ({
  id,
  connectionState,
  logicalNetworks,
  switchIds: [],
});
const activity = (id: string): ActivityEntry => ({ id, at: '2026-01-01T00:00:00.000Z', kind: 'rollback', hostId: 'h1', switchId: 's1', summary: id });

function topologyWith(parts: Partial<Topology>): Topology {
  return { ...emptyTopology(), ...parts };
}

describe('topology diff', () => {
  it('names new, changed and removed entries, and only those', () => {
    const before = topologyWith({ hosts: new Map([['h1', host('h1')], ['h2', host('h2')], ['h3', host('h3')]]) });
    const after = topologyWith({ hosts: new Map([['h1', host('h1')], ['h2', host('h2', 'disconnected')], ['h4', host('h4')]]) });
    const change = diffTopology(before, after);
    expect(change.upserted.hosts?.map((h) => h.id).sort()).toEqual(['h2', 'h4']);
    expect(change.removed.hosts).toEqual(['h3']);
    expect(change.upserted.switches).toBeUndefined();
    expect(change.activity).toEqual([]);
  });

  it('is empty between equal topologies built apart', () => {
    const a = topologyWith({ hosts: new Map([['h1', host('h1', 'connected', ['n1'])]]), activity: [activity('e1')] });
    const b = topologyWith({ hosts: new Map([['h1', host('h1', 'connected', ['n1'])]]), activity: [activity('e1')] });
    expect(isEmptyChange(diffTopology(a, b))).toBe(true);
  });

  it('carries only activity not seen before', () => {
    const before = topologyWith({ activity: [activity('e1')] });
    const after = topologyWith({ activity: [activity('e1'), activity('e2')] });
    expect(diffTopology(before, after).activity.map((a) => a.id)).toEqual(['e2']);
  });

  it('applied to the first topology gives the second (what a browser holds is what the manager holds)', () => {
    const before = topologyWith({
      hosts: new Map([['h1', host('h1')], ['h2', host('h2')]]),
      tasks: new Map([['t1', taskEntry({ id: 't1', kind: 'switch.create', state: 'running', startedAt: 'x', finishedAt: null, hosts: { h1: { state: 'pending', detail: null } } })]]),
    });
    const after = topologyWith({
      hosts: new Map([['h2', host('h2', 'disconnected')], ['h3', host('h3')]]),
      tasks: new Map([['t1', taskEntry({ id: 't1', kind: 'switch.create', state: 'succeeded', startedAt: 'x', finishedAt: 'y', hosts: { h1: { state: 'succeeded', detail: null } } })]]),
      activity: [activity('e1')],
    });
    const applied = applyChange(before, diffTopology(before, after));
    expect(toSnapshot(applied)).toEqual(toSnapshot(after));
    expect(before.hosts.has('h1')).toBe(true);
  });

  it('keeps the latest ACTIVITY_KEPT entries of the activity', () => {
    const many = Array.from({ length: ACTIVITY_KEPT + 5 }, (_, i) => activity(`e${i}`));
    const applied = applyChange(emptyTopology(), { upserted: {}, removed: {}, activity: many });
    expect(applied.activity).toHaveLength(ACTIVITY_KEPT);
    expect(applied.activity.at(-1)!.id).toBe(`e${ACTIVITY_KEPT + 4}`);
  });

  it('merges two changes into what a client that missed the first needs', () => {
    const t0 = topologyWith({ hosts: new Map([['h1', host('h1')], ['h2', host('h2')]]) });
    const t1 = topologyWith({ hosts: new Map([['h1', host('h1', 'disconnected')], ['h3', host('h3')]]) });
    const t2 = topologyWith({ hosts: new Map([['h1', host('h1', 'disconnected')], ['h2', host('h2')]]), activity: [activity('e1')] });
    const merged = mergeChanges(diffTopology(t0, t1), diffTopology(t1, t2));
    expect(toSnapshot(applyChange(t0, merged))).toEqual(toSnapshot(t2));
    expect(merged.removed.hosts).toEqual(['h3']);
  });

  it('goes to a snapshot and back unchanged', () => {
    const t = topologyWith({ hosts: new Map([['h1', host('h1')]]), activity: [activity('e1')] });
    expect(toSnapshot(fromSnapshot(toSnapshot(t)))).toEqual(toSnapshot(t));
  });
});

describe('topology summary', () => {
  it('counts 2,000 hosts by state, port groups, ports and tasks', () => {
    const hosts = new Map(Array.from({ length: 2000 }, (_, i) => [`h${i}`, host(`h${i}`, i % 10 === 0 ? 'disconnected' : 'connected')] as const));
    const t = topologyWith({
      hosts,
      switches: new Map([
        ['s1', { id: 's1', name: 'dvs', revision: 2, hostIds: [...hosts.keys()], portGroups: [{ id: 'p1', name: 'mgmt', vlanId: 10, management: true }, { id: 'p2', name: 'vm', vlanId: 20, management: false }] }],
      ]),
      dcns: new Map([['d1', { id: 'd1', name: 'vm-1', hostId: 'h1', ports: [{ nicId: 'n1', portId: 'p-1', networkKind: 'port-group', networkId: 'p2' }] }]]),
    });
    expect(summarize(t)).toEqual({
      hosts: { total: 2000, connected: 1800, disconnected: 200 },
      switches: 1,
      portGroups: 2,
      networks: 0,
      dcns: 1,
      ports: 1,
      tasks: { running: 0, succeeded: 0, failed: 0, rolled_back: 0 },
    });
  });

  it("orders a task's hosts by id and counts them by state", () => {
    const entry = taskEntry({
      id: 't',
      kind: 'port-group.update',
      state: 'rolled_back',
      startedAt: 'a',
      finishedAt: 'b',
      hosts: { h2: { state: 'rolled_back', detail: 'no round trip' }, h1: { state: 'succeeded', detail: null }, h3: { state: 'pending', detail: null } },
    });
    expect(entry.hosts.map((h) => h.hostId)).toEqual(['h1', 'h2', 'h3']);
    expect(entry.counts).toEqual({ pending: 1, succeeded: 1, failed: 0, rolled_back: 1 });
  });
});
