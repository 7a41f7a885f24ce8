import { jest } from '@jest/globals';
import { readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Longer than Jest's 5 s default, since a test waits for several tasks (20 s each) in a row (on a loaded machine too).
jest.setTimeout(60000);

const ids = (list: Array<{ id: string }>) => list.map((x) => x.id);

/**
 * Lists of both managers answer oldest first (CONTRACT §2), identically after `POST /admin/rebuild`;
 * a switch's hosts join (`POST /switches/:id/hosts`); a switch as of a point between two revisions.
 */
describe('lists oldest first, rebuilds, switch membership and history', () => {
  const stack = new SuiteStack();
  let net: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  const zones: string[] = [];
  const networks: string[] = [];
  const switches: string[] = [];
  const portGroups: string[] = [];

  const task = (id: string) => taskEnd(compute, id, 20000);

  beforeAll(async () => {
    await stack.start();
    const [nm, cm] = await Promise.all([stack.startService('network-manager'), stack.startService('compute-manager', { TASK_TIMEOUT_MS: '8000' })]);
    net = api(nm.url);
    compute = api(cm.url);
    // Known to the compute manager in this order, before any of them speaks.
    for (const hostId of ['host-3', 'host-1', 'host-2']) expect((await compute.post('/hosts', { hostId })).status).toBe(201);
    hosts = api((await stack.startService('host-agent', { HOSTS: '3' })).url);
  }, 120000);
  afterAll(() => stack.stop(), 60000);

  it('network manager: transport zones, logical networks and transport nodes come in creation order', async () => {
    for (let i = 0; i < 5; i++) zones.push((await net.post('/transport-zones', { name: `zone-${i}` })).body.id);
    expect(ids((await net.get('/transport-zones')).body)).toEqual(zones);
    for (let i = 0; i < 6; i++) {
      networks.push((await net.post('/logical-networks', { name: `net-${i}`, transportZoneId: zones[i % 2] })).body.id);
    }
    expect(ids((await net.get('/logical-networks')).body)).toEqual(networks);
    for (const [hostId, zoneIds] of [
      ['host-3', [zones[0]]],
      ['host-1', [zones[1], zones[0]]],
      ['host-2', [zones[1]]],
    ] as const) {
      expect((await net.post('/transport-nodes', { hostId, transportZoneIds: zoneIds })).status).toBe(201);
    }
    const order = ['host-3', 'host-1', 'host-2'];
    expect((await net.get('/transport-nodes')).body.map((n: { hostId: string }) => n.hostId)).toEqual(order);
    // A known host given another zone keeps its place; its zones are listed in the order they were added.
    expect((await net.post('/transport-nodes', { hostId: 'host-3', transportZoneIds: [zones[2]] })).status).toBe(200);
    const nodes = (await net.get('/transport-nodes')).body;
    expect(nodes.map((n: { hostId: string }) => n.hostId)).toEqual(order);
    expect(nodes[0].transportZoneIds).toEqual([zones[0], zones[2]]);
    expect(nodes[1].transportZoneIds).toEqual([zones[1], zones[0]]);
    expect(nodes[1].networks.map((n: { id: string }) => n.id)).toEqual(networks);
    // Deleting from the middle keeps the others' order.
    expect((await net.delete(`/transport-zones/${zones[3]}`)).status).toBe(204);
    expect(ids((await net.get('/transport-zones')).body)).toEqual(zones.filter((z) => z !== zones[3]));
  }, 30000);

  it('compute manager: hosts, switches, port groups of a switch, DCNs and learned networks come in creation order', async () => {
    const hostOrder = ['host-3', 'host-1', 'host-2'];
    expect((await compute.get('/hosts')).body.map((h: { hostId: string }) => h.hostId)).toEqual(hostOrder);
    for (const hostId of ['zz-9', 'aa-0']) expect((await compute.post('/hosts', { hostId })).status).toBe(201);
    expect((await compute.get('/hosts')).body.map((h: { hostId: string }) => h.hostId)).toEqual([...hostOrder, 'zz-9', 'aa-0']);

    for (let i = 0; i < 4; i++) {
      const created = await compute.post('/switches', { name: `dvs-${i}`, hostIds: ['host-1'] });
      expect(created.status).toBe(201);
      switches.push(created.body.id);
      expect((await task(created.body.taskId)).state).toBe('succeeded');
    }
    expect(ids((await compute.get('/switches')).body)).toEqual(switches);

    for (const [name, vlanId] of [['pg-d', 40], ['pg-b', 30], ['pg-c', 20], ['pg-a', 10]] as const) {
      const pg = await compute.post(`/switches/${switches[0]}/port-groups`, { name, vlanId });
      expect(pg.status).toBe(202);
      portGroups.push(pg.body.portGroupId);
      expect((await task(pg.body.taskId)).state).toBe('succeeded');
    }
    const one = (await compute.get(`/switches/${switches[0]}`)).body;
    expect(ids(one.portGroups)).toEqual(portGroups);
    expect(ids((await compute.get('/switches')).body[0].portGroups)).toEqual(portGroups);
    // Reconfiguring one does not move it.
    const patched = await compute.patch(`/switches/${switches[0]}/port-groups/${portGroups[0]}`, { vlanId: 41 });
    expect((await task(patched.body.taskId)).state).toBe('succeeded');
    expect(ids((await compute.get(`/switches/${switches[0]}`)).body.portGroups)).toEqual(portGroups);

    const dcns: string[] = [];
    for (const hostId of ['host-2', 'host-1', 'host-3', 'host-1']) dcns.push((await compute.post('/dcns', { name: `vm-${dcns.length}`, hostId })).body.id);
    expect(ids((await compute.get('/dcns')).body)).toEqual(dcns);

    // Networks created one at a time, each learned before the next: the list ends with them, in that order.
    const learned = async () => ids((await compute.get('/logical-networks')).body);
    await eventually(async () => (await learned()).length === networks.length, 20000, 'the first networks learned');
    const later: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = (await net.post('/logical-networks', { name: `later-${i}`, transportZoneId: zones[1] })).body.id;
      later.push(id);
      await eventually(async () => (await learned()).includes(id), 20000, `network later-${i} learned`);
    }
    const list = await learned();
    expect(list.slice(-3)).toEqual(later);
    expect(new Set(list.slice(0, -3))).toEqual(new Set(networks));
  }, 90000);

  it('POST /switches/:id/hosts: the host joins, the task names it, and it converges to the switch state', async () => {
    const before = (await compute.get(`/switches/${switches[0]}`)).body;
    const joined = await compute.post(`/switches/${switches[0]}/hosts`, { hostId: 'host-2' });
    expect(joined.status).toBe(202);
    expect(joined.body.taskId).toEqual(expect.any(String));
    const t = await task(joined.body.taskId);
    expect(t).toMatchObject({ kind: 'switch.add-host', state: 'succeeded' });
    expect(t.hosts['host-2'].state).toBe('succeeded');
    const after = (await compute.get(`/switches/${switches[0]}`)).body;
    expect(after).toEqual({ ...before, hostIds: ['host-1', 'host-2'], revision: before.revision + 1 });
    expect((await compute.get('/switches')).body[0]).toEqual(after);
    const onHost = (await hosts.get('/hosts/host-2')).body.computeSwitches.find((s: { id: string }) => s.id === switches[0]);
    expect(onHost.revision).toBe(after.revision);
    expect(onHost.portGroups.map((pg: { id: string; vlanId: number }) => [pg.id, pg.vlanId])).toEqual(after.portGroups.map((pg: { id: string; vlanId: number }) => [pg.id, pg.vlanId]));
    const unknown = await compute.post('/switches/7d1c5a0e-0b7e-4f7e-9c55-7a1b2c3d4e5f/hosts', { hostId: 'host-2' });
    expect(unknown.status).toBe(404);
  }, 30000);

  it('a switch as of a time or a position between two of its revisions', async () => {
    const sw = switches[1];
    const pg = await compute.post(`/switches/${sw}/port-groups`, { name: 'web', vlanId: 10 });
    expect((await task(pg.body.taskId)).state).toBe('succeeded');
    // Something else is recorded between the two revisions.
    const between = (await compute.post('/dcns', { name: 'between', hostId: 'host-1' })).body.id;
    const patched = await compute.patch(`/switches/${sw}/port-groups/${pg.body.portGroupId}`, { vlanId: 20 });
    expect((await task(patched.body.taskId)).state).toBe('succeeded');

    const stream = await readLog(compute, `streamId=${sw}`);
    expect(stream.map((e) => e.version)).toEqual([1, 2, 3]);
    const [, second, third] = stream;
    const middle = (await readLog(compute, `streamId=${between}`))[0].position;
    const at = async (asOf: string) => (await compute.get(`/switches/${sw}?asOf=${encodeURIComponent(asOf)}`)).body;

    for (const position of [second.position, middle]) {
      const then = await at(String(position));
      expect(then.revision).toBe(2);
      expect(then.portGroups.map((p: { vlanId: number }) => p.vlanId)).toEqual([10]);
    }
    expect((await at(String(third.position))).portGroups[0].vlanId).toBe(20);

    const t2 = Date.parse(second.recordedAt);
    const t3 = Date.parse(third.recordedAt);
    expect(t3 - t2).toBeGreaterThan(1);
    const halfway = await at(new Date(Math.floor((t2 + t3) / 2)).toISOString());
    expect(halfway).toMatchObject({ id: sw, revision: 2 });
    expect(halfway.portGroups[0].vlanId).toBe(10);
    expect((await at(new Date(t3 + 1).toISOString())).revision).toBe(3);
  }, 30000);

  it('POST /admin/rebuild on both managers: every list and object answers as before', async () => {
    // Let what the hosts report settle first: every network realized on every host of its zone.
    await eventually(async () => {
      const list = (await net.get('/logical-networks')).body as Array<{ realizedOn: string[] }>;
      return list.every((n) => n.realizedOn.length === 2);
    }, 20000, 'networks realized on their hosts');
    const liveness = ({ connectionState: _c, lastSeenAt: _l, ...rest }: Record<string, unknown>) => rest;
    const read = async () => ({
      zones: (await net.get('/transport-zones')).body,
      networks: (await net.get('/logical-networks')).body,
      network: (await net.get(`/logical-networks/${networks[0]}`)).body,
      nodes: (await net.get('/transport-nodes')).body,
      node: (await net.get('/transport-nodes/host-1')).body,
      hosts: (await compute.get('/hosts')).body.map(liveness),
      host: liveness((await compute.get('/hosts/host-1')).body),
      switches: (await compute.get('/switches')).body,
      switch: (await compute.get(`/switches/${switches[0]}`)).body,
      dcns: (await compute.get('/dcns')).body,
      learned: (await compute.get('/logical-networks')).body,
    });
    const before = await read();
    expect((await net.post('/admin/rebuild')).status).toBe(200);
    expect((await compute.post('/admin/rebuild')).status).toBe(200);
    expect(await read()).toEqual(before);
  }, 40000);
});
