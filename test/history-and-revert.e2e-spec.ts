import { jest } from '@jest/globals';
import { lastPosition, readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Longer than Jest's 5 s default: a test waits for several tasks and host convergences (20 s each) in a row, on a loaded machine.
jest.setTimeout(90000);

type Client = ReturnType<typeof api>;
const at = (client: Client, path: string, asOf: string | number) => client.get(`${path}?asOf=${encodeURIComponent(String(asOf))}`);
/** An ISO time halfway between two recorded events (which must be apart by more than a millisecond). */
const halfway = (a: { recordedAt: string }, b: { recordedAt: string }) => {
  const [ta, tb] = [Date.parse(a.recordedAt), Date.parse(b.recordedAt)];
  expect(tb - ta).toBeGreaterThan(1);
  return new Date(Math.floor((ta + tb) / 2)).toISOString();
};
const before = (e: { recordedAt: string }) => new Date(Date.parse(e.recordedAt) - 1000).toISOString();

/**
 * The past, readable and restorable (CONTRACT §3, §5): `asOf` on switches, DCNs, logical networks
 * and transport zones, by position and by time; switch and logical-network reverts that append new
 * events, keep the history, reach the hosts, and record nothing when there is nothing to change.
 */
describe('point-in-time reads and reverts', () => {
  const stack = new SuiteStack();
  let net: Client;
  let compute: Client;
  let hosts: Client;
  let zone: string;

  const task = (id: string) => taskEnd(compute, id, 20000);

  beforeAll(async () => {
    await stack.start();
    const [nm, cm] = await Promise.all([stack.startService('network-manager'), stack.startService('compute-manager')]);
    net = api(nm.url);
    compute = api(cm.url);
    for (const hostId of ['host-1', 'host-2']) expect((await compute.post('/hosts', { hostId })).status).toBe(201);
    hosts = api((await stack.startService('host-agent', { HOSTS: '2' })).url);
    zone = (await net.post('/transport-zones', { name: 'overlay' })).body.id;
    for (const hostId of ['host-1', 'host-2']) expect((await net.post('/transport-nodes', { hostId, transportZoneIds: [zone] })).status).toBe(201);
  }, 120000);
  afterAll(() => stack.stop(), 60000);

  it('a transport zone as of a position or a time: there between its creation and its deletion, 404 outside', async () => {
    const created = (await net.post('/transport-zones', { name: 'short-lived' })).body;
    const other = (await net.post('/transport-zones', { name: 'other' })).body.id;
    expect((await net.delete(`/transport-zones/${created.id}`)).status).toBe(204);
    const [born, gone] = await readLog(net, `streamId=${created.id}`);
    const middle = (await readLog(net, `streamId=${other}`))[0];
    const path = `/transport-zones/${created.id}`;

    for (const point of [born.position, middle.position, halfway(born, gone)]) {
      const res = await at(net, path, point);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: created.id, name: 'short-lived' });
    }
    for (const point of [born.position - 1, gone.position, before(born)]) expect((await at(net, path, point)).status).toBe(404);
    expect((await net.get(path)).status).toBe(404);
    expect((await at(net, `/transport-zones/${zone}`, middle.position)).body).toEqual({ id: zone, name: 'overlay' });
    for (const bad of ['yesterday', '2025-13-45T99:99:99Z', '-1']) {
      const res = await at(net, `/transport-zones/${zone}`, bad);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/asOf/);
    }
  });

  it('a logical network as of a point, with its realization then; a revert reaches the hosts and records nothing twice', async () => {
    const created = (await net.post('/logical-networks', { name: 'web', transportZoneId: zone })).body;
    const id = created.id;
    const path = `/logical-networks/${id}`;
    const realizedOnBoth = async (revision: number) => {
      for (const hostId of ['host-1', 'host-2']) {
        const node = (await net.get(`/transport-nodes/${hostId}`)).body as { networks: Array<{ id: string; revision: number; realized: boolean }> };
        if (!node.networks.some((n) => n.id === id && n.revision === revision && n.realized)) return false;
      }
      return (await net.get(path)).body.realizedOn.length === 2;
    };
    await eventually(() => realizedOnBoth(1), 20000, 'the network realized on both hosts');
    const realizedAt = await lastPosition(net);
    expect((await net.patch(path, { name: 'frontend', mtu: 9000 })).body.revision).toBe(2);
    const [born, updated] = await readLog(net, `streamId=${id}`);

    const atBirth = await at(net, path, born.position);
    expect(atBirth.status).toBe(200);
    // Just created, no host had reported it yet; the shape is the current view's.
    expect(atBirth.body).toEqual({ ...created, realizedOn: [], ports: [] });
    const realized = (await at(net, path, realizedAt)).body;
    expect(realized).toEqual({ ...created, realizedOn: ['host-1', 'host-2'], ports: [] });
    expect((await at(net, path, halfway(born, updated))).body).toMatchObject({ name: 'web', mtu: 1500, revision: 1 });
    expect((await at(net, path, updated.position)).body).toMatchObject({ name: 'frontend', mtu: 9000, revision: 2 });
    for (const point of [born.position - 1, before(born)]) expect((await at(net, path, point)).status).toBe(404);

    // Revert to before the PATCH: a new event, the history whole, the hosts receive it.
    const reverted = await net.post(`${path}/revert`, { toPosition: realizedAt });
    expect(reverted.status).toBe(200);
    expect(reverted.body).toMatchObject({ id, name: 'web', mtu: 1500, vni: created.vni, revision: 3 });
    const stream = await readLog(net, `streamId=${id}`);
    expect(stream.map((e) => e.type)).toEqual(['LogicalNetworkCreated', 'LogicalNetworkUpdated', 'LogicalNetworkReverted']);
    expect(stream[2].data).toMatchObject({ name: 'web', mtu: 1500, revision: 3, toPosition: realizedAt });
    expect((await at(net, path, stream[2].position)).body).toMatchObject({ name: 'web', mtu: 1500, revision: 3 });
    expect((await at(net, path, stream[2].position - 1)).body).toMatchObject({ name: 'frontend', revision: 2 });
    for (const hostId of ['host-1', 'host-2']) {
      await eventually(async () => {
        const held = ((await hosts.get(`/hosts/${hostId}/logical-networks`)).body as Array<{ id: string; name: string; mtu: number; revision: number }>).find((c) => c.id === id);
        return held?.revision === 3 && held.name === 'web' && held.mtu === 1500;
      }, 20000, `the reverted network on ${hostId}`);
    }

    // Once the hosts have reported it, a revert to the state it has records nothing.
    await eventually(() => realizedOnBoth(3), 20000, 'the reverted network realized on both hosts');
    const last = await lastPosition(net);
    const again = await net.post(`${path}/revert`, { toPosition: realizedAt });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ name: 'web', mtu: 1500, revision: 3 });
    expect(await lastPosition(net)).toBe(last);

    const tooEarly = await net.post(`${path}/revert`, { toPosition: born.position - 1 });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.code).toBe('NOT_YET_CREATED');
    expect((await net.post('/logical-networks/7d1c5a0e-0b7e-4f7e-9c55-7a1b2c3d4e5f/revert', { toPosition: 1 })).status).toBe(404);
    const bad = await net.post(`${path}/revert`, { toPosition: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/toPosition/);
    expect(await lastPosition(net)).toBe(last);
  });

  it('a switch reverted to a position: members, port groups and opaque data come back, the task succeeds, the hosts hold it', async () => {
    const created = (await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] })).body;
    const id = created.id;
    expect((await task(created.taskId)).state).toBe('succeeded');
    const web = (await compute.post(`/switches/${id}/port-groups`, { name: 'web', vlanId: 10 })).body;
    expect((await task(web.taskId)).state).toBe('succeeded');
    expect((await compute.post('/extensions', { key: 'com.acme.ext', namespaces: ['com.acme.tags'] })).status).toBe(201);
    const tag = (value: string) => compute.put(`/opaque-data/switch/${id}/com.acme.tags/color`, { value }, { 'x-extension-key': 'com.acme.ext' });
    expect((await tag('blue')).status).toBe(200);
    const then = (await compute.get(`/switches/${id}`)).body;
    const toPosition = await lastPosition(compute, `streamId=${id}`);

    const patched = (await compute.patch(`/switches/${id}/port-groups/${web.portGroupId}`, { vlanId: 20 })).body;
    expect((await task(patched.taskId)).state).toBe('succeeded');
    const db = (await compute.post(`/switches/${id}/port-groups`, { name: 'db', vlanId: 30 })).body;
    expect((await task(db.taskId)).state).toBe('succeeded');
    expect((await tag('red')).status).toBe(200);
    const now = (await compute.get(`/switches/${id}`)).body;
    expect(now.portGroups.map((pg: { vlanId: number }) => pg.vlanId)).toEqual([20, 30]);
    const [born] = await readLog(compute, `streamId=${id}`);
    for (const point of [born.position - 1, before(born)]) expect((await at(compute, `/switches/${id}`, point)).status).toBe(404);

    const reverted = await compute.post(`/switches/${id}/revert`, { toPosition });
    expect(reverted.status).toBe(202);
    expect(reverted.body).toEqual({ taskId: expect.any(String), revision: now.revision + 1 });
    expect((await task(reverted.body.taskId)).state).toBe('succeeded');
    const after = (await compute.get(`/switches/${id}`)).body;
    expect(after).toEqual({ ...then, revision: now.revision + 1 });
    const stream = await readLog(compute, `streamId=${id}`);
    expect(stream.length).toBe(now.revision + 1);
    const restored = stream.at(-1)!;
    expect(restored).toMatchObject({ type: 'SwitchStateRestored', data: { cause: { kind: 'revert', toPosition } } });
    expect((await at(compute, `/switches/${id}`, restored.position)).body).toEqual(after);
    expect((await at(compute, `/switches/${id}`, restored.position - 1)).body).toEqual(now);
    const opaque = (await compute.get(`/opaque-data/switch/${id}`)).body as Array<{ key: string; value: unknown }>;
    expect(opaque.map(({ key, value }) => [key, value])).toEqual([['color', 'blue']]);
    for (const hostId of ['host-1', 'host-2']) {
      const onHost = (await hosts.get(`/hosts/${hostId}`)).body.computeSwitches.find((s: { id: string }) => s.id === id);
      expect(onHost.revision).toBe(after.revision);
      expect(onHost.portGroups.map((pg: { id: string; vlanId: number }) => [pg.id, pg.vlanId])).toEqual([[web.portGroupId, 10]]);
    }

    // A revert to the state it has records nothing: 200, a task that is done, the same revision.
    const last = await lastPosition(compute);
    const again = await compute.post(`/switches/${id}/revert`, { toPosition });
    expect(again.status).toBe(200);
    expect(again.body.revision).toBe(after.revision);
    expect((await task(again.body.taskId)).state).toBe('succeeded');
    expect(await lastPosition(compute)).toBe(last);

    const tooEarly = await compute.post(`/switches/${id}/revert`, { toPosition: born.position - 1 });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.code).toBe('NOT_YET_CREATED');
    expect((await compute.post('/switches/7d1c5a0e-0b7e-4f7e-9c55-7a1b2c3d4e5f/revert', { toPosition })).status).toBe(404);
    const bad = await compute.post(`/switches/${id}/revert`, { toPosition: 0, extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/toPosition/);
    expect(await lastPosition(compute)).toBe(last);
  });

  it('a DCN as of a position or a time between two of its events; 404 before it existed; 400 for a bad asOf', async () => {
    const sw = (await compute.post('/switches', { name: 'vm-net', hostIds: ['host-1'] })).body;
    expect((await task(sw.taskId)).state).toBe('succeeded');
    const pg = (await compute.post(`/switches/${sw.id}/port-groups`, { name: 'vms', vlanId: 40 })).body;
    expect((await task(pg.taskId)).state).toBe('succeeded');
    const dcn = (await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' })).body;
    const nic = await compute.post(`/dcns/${dcn.id}/nics`, { portGroupId: pg.portGroupId });
    expect(nic.status).toBe(201);
    expect((await task(nic.body.taskId)).state).toBe('succeeded');
    const [born, attached] = await readLog(compute, `streamId=${dcn.id}`);
    const path = `/dcns/${dcn.id}`;

    for (const point of [born.position, halfway(born, attached)]) {
      const res = await at(compute, path, point);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...dcn, nics: [] });
    }
    const withNic = (await at(compute, path, attached.position)).body;
    expect(withNic).toEqual((await compute.get(path)).body);
    expect(withNic.nics).toEqual([{ id: nic.body.id, portId: nic.body.portId, network: { kind: 'port-group', id: pg.portGroupId } }]);
    for (const point of [born.position - 1, before(born)]) expect((await at(compute, path, point)).status).toBe(404);
    const bad = await at(compute, path, 'last-week');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/asOf/);
  });
});
