import { jest } from '@jest/globals';
import { lastPosition, readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack, type ApiResponse } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Longer than Jest's 5 s default, since a test waits for several tasks (20 s each) in a row (on a loaded machine too).
jest.setTimeout(60000);

const UNKNOWN = '7d1c5a0e-0b7e-4f7e-9c55-7a1b2c3d4e5f';
type Client = ReturnType<typeof api>;
let seq = 0;
const traced = () => ({ 'X-Correlation-Id': `check-${++seq}` });

/**
 * `Idempotency-Key` on every create of both managers, and "a rejected request changes no state and
 * records no event" for every rejection the managers answer (CONTRACT §2), on the real stack; a
 * zone taken from a transport node, end to end.
 */
describe('idempotent creates, rejections that record nothing, zones leaving a transport node', () => {
  const stack = new SuiteStack();
  let net: Client;
  let compute: Client;
  let hosts: Client;
  let zone: string;
  let network: { id: string; vni: number; revision: number };
  let switchId: string;
  let pgId: string;
  let dcnId: string;

  const task = (id: string) => taskEnd(compute, id, 20000);
  const held = async (hostId: string) => ((await hosts.get(`/hosts/${hostId}/logical-networks`)).body as Array<{ id: string }>).map((c) => c.id);

  beforeAll(async () => {
    await stack.start();
    const [nm, cm, ha] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager', { TASK_TIMEOUT_MS: '8000' }),
      stack.startService('host-agent', { HOSTS: '3' }),
    ]);
    net = api(nm.url);
    compute = api(cm.url);
    hosts = api(ha.url);
    zone = (await net.post('/transport-zones', { name: 'overlay' })).body.id;
    network = (await net.post('/logical-networks', { name: 'web', transportZoneId: zone })).body;
    for (const hostId of ['host-1', 'host-2']) expect((await net.post('/transport-nodes', { hostId, transportZoneIds: [zone] })).status).toBe(201);
    await eventually(async () => (await compute.get(`/logical-networks/${network.id}`)).body.hosts?.length === 2, 20000, 'network learned from both hosts');
    const sw = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] });
    switchId = sw.body.id;
    expect((await task(sw.body.taskId)).state).toBe('succeeded');
    const pg = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 });
    pgId = pg.body.portGroupId;
    expect((await task(pg.body.taskId)).state).toBe('succeeded');
    dcnId = (await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' })).body.id;
    const nic = await compute.post(`/dcns/${dcnId}/nics`, { logicalNetworkId: network.id });
    expect((await task(nic.body.taskId)).state).toBe('succeeded');
    await eventually(async () => (await net.get(`/logical-networks/${network.id}`)).body.ports.length === 1, 20000, 'the logical port reported to the network manager');
  }, 120000);
  afterAll(() => stack.stop(), 60000);

  /** First answer, a replay of it that records nothing, and a reuse with another body: 422. */
  async function idempotent(client: Client, path: string, body: object, other: object): Promise<ApiResponse> {
    const key = `key-${++seq}`;
    const first = await client.post(path, body, { 'Idempotency-Key': key });
    expect([path, first.status]).toEqual([path, expect.any(Number)]);
    expect(first.status).toBeGreaterThanOrEqual(200);
    expect(first.status).toBeLessThan(300);
    const replayTrace = traced();
    const again = await client.post(path, body, { 'Idempotency-Key': key, ...replayTrace });
    expect({ path, status: again.status, body: again.body }).toEqual({ path, status: first.status, body: first.body });
    const reuseTrace = traced();
    const reused = await client.post(path, other, { 'Idempotency-Key': key, ...reuseTrace });
    expect({ path, status: reused.status, code: reused.body.code }).toEqual({ path, status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    for (const trace of [replayTrace, reuseTrace]) expect(await readLog(client, `correlationId=${trace['X-Correlation-Id']}`)).toEqual([]);
    return first;
  }

  it('every create of the network manager honours Idempotency-Key', async () => {
    const z2 = (await idempotent(net, '/transport-zones', { name: 'idem-zone' }, { name: 'other' })).body.id;
    const created = await idempotent(net, '/logical-networks', { name: 'idem-net', transportZoneId: z2 }, { name: 'idem-net', transportZoneId: zone });
    expect(created.status).toBe(201);
    expect((await net.get('/logical-networks')).body.filter((n: { name: string }) => n.name === 'idem-net')).toHaveLength(1);
    const node = await idempotent(net, '/transport-nodes', { hostId: 'host-3', transportZoneIds: [z2] }, { hostId: 'host-3', transportZoneIds: [zone] });
    expect(node.status).toBe(201);
    expect((await net.get('/transport-nodes/host-3')).body.transportZoneIds).toEqual([z2]);
    expect((await readLog(net, 'streamId=host-3&actor=admin')).map((e) => e.type)).toEqual(['TransportNodeCreated', 'TransportNodeZonesAdded']);
  }, 30000);

  it('every create of the compute manager honours Idempotency-Key', async () => {
    expect((await idempotent(compute, '/hosts', { hostId: 'idem-host' }, { hostId: 'idem-other' })).status).toBe(201);
    expect((await compute.get('/hosts')).body.filter((h: { hostId: string }) => h.hostId.startsWith('idem-'))).toHaveLength(1);

    const sw = await idempotent(compute, '/switches', { name: 'idem-dvs', hostIds: ['host-1'] }, { name: 'idem-dvs', hostIds: ['host-2'] });
    expect(sw.status).toBe(201);
    expect((await compute.get('/switches')).body.filter((s: { name: string }) => s.name === 'idem-dvs')).toHaveLength(1);
    await task(sw.body.taskId);

    const pg = await idempotent(compute, `/switches/${sw.body.id}/port-groups`, { name: 'idem-pg', vlanId: 5 }, { name: 'idem-pg', vlanId: 6 });
    expect(pg.status).toBe(202);
    await task(pg.body.taskId);
    const joined = await idempotent(compute, `/switches/${sw.body.id}/hosts`, { hostId: 'host-2' }, { hostId: 'host-3' });
    expect(joined.status).toBe(202);
    await task(joined.body.taskId);
    const after = (await compute.get(`/switches/${sw.body.id}`)).body;
    expect(after.portGroups.map((p: { name: string }) => p.name)).toEqual(['idem-pg']);
    expect(after.hostIds).toEqual(['host-1', 'host-2']);
    expect(after.revision).toBe(3);

    const dcn = await idempotent(compute, '/dcns', { name: 'idem-vm', hostId: 'host-2' }, { name: 'idem-vm', hostId: 'host-1' });
    expect(dcn.status).toBe(201);
    expect((await compute.get('/dcns')).body.filter((d: { name: string }) => d.name === 'idem-vm')).toHaveLength(1);
    const nic = await idempotent(compute, `/dcns/${dcn.body.id}/nics`, { logicalNetworkId: network.id }, { portGroupId: pg.body.portGroupId });
    expect(nic.status).toBe(201);
    await task(nic.body.taskId);
    expect((await compute.get(`/dcns/${dcn.body.id}`)).body.nics).toHaveLength(1);
  }, 60000);

  it('400 names each offending field when several are bad', async () => {
    const cases: Array<[Promise<ApiResponse>, string[]]> = [
      [net.post('/transport-zones', { name: '', colour: 'red' }), ['name', 'colour']],
      [net.post('/logical-networks', { name: 5, transportZoneId: 'nope', mtu: 1, vni: 0 }), ['name', 'transportZoneId', 'mtu', 'vni']],
      [net.post('/transport-nodes', { hostId: 'bad id', transportZoneIds: 'x' }), ['hostId', 'transportZoneIds']],
      [net.patch(`/logical-networks/${network.id}`, { name: 7, mtu: 'big', vni: 5 }), ['name', 'mtu', 'vni']],
      [compute.post('/hosts', { hostId: 'a b', extra: 1 }), ['hostId', 'extra']],
      [compute.post('/switches', { name: 5, hostIds: 'x', rollbackTimeoutMs: 1, mtu: 1 }), ['name', 'hostIds', 'rollbackTimeoutMs', 'mtu']],
      [compute.post(`/switches/${switchId}/port-groups`, { name: 1, vlanId: 5000, management: 'yes' }), ['name', 'vlanId', 'management']],
      [compute.patch(`/switches/${switchId}/port-groups/${pgId}`, { vlanId: -1, name: 'x' }), ['vlanId', 'name']],
      [compute.post('/dcns', { name: 7, hostId: 'bad id' }), ['name', 'hostId']],
      [compute.post(`/switches/${switchId}/hosts`, { hostId: 'bad id', colour: 1 }), ['hostId', 'colour']],
    ];
    for (const [call, fields] of cases) {
      const res = await call;
      expect(res.status).toBe(400);
      for (const field of fields) expect([field, res.body.message]).toEqual([field, expect.stringMatching(new RegExp(`\\b${field}\\b`))]);
    }
  });

  it('a zone taken from a transport node leaves that host, and only that host', async () => {
    const z2 = (await net.post('/transport-zones', { name: 'second' })).body.id;
    const n2 = (await net.post('/logical-networks', { name: 'db', transportZoneId: z2 })).body.id;
    expect((await net.post('/transport-nodes', { hostId: 'host-2', transportZoneIds: [z2] })).status).toBe(200);
    expect((await net.post('/transport-nodes', { hostId: 'host-1', transportZoneIds: [z2] })).status).toBe(200);
    await eventually(async () => (await held('host-2')).includes(n2) && (await held('host-1')).includes(n2), 20000, 'n2 on both hosts');
    await eventually(async () => (await compute.get('/hosts/host-2')).body.logicalNetworks.includes(n2), 20000, 'compute manager learned n2 on host-2');

    expect((await net.delete(`/transport-nodes/host-2/zones/${z2}`)).status).toBe(204);
    await eventually(async () => !(await held('host-2')).includes(n2), 20000, 'n2 gone from host-2');
    expect(await held('host-2')).toContain(network.id);
    expect(await held('host-1')).toContain(n2);
    expect((await net.get('/transport-nodes/host-2')).body).toMatchObject({ transportZoneIds: [zone], networks: [{ id: network.id }] });
    await eventually(async () => !(await compute.get('/hosts/host-2')).body.logicalNetworks.includes(n2), 20000, 'compute manager learned host-2 dropped it');
    await eventually(async () => !(await net.get(`/logical-networks/${n2}`)).body.realizedOn.includes('host-2'), 20000, 'no longer realized on host-2');
  }, 60000);

  it('no rejection of either manager records an event or changes what they answer', async () => {
    const patched = (await net.patch(`/logical-networks/${network.id}`, { name: 'web-2' })).body;
    const refusedKey = `key-${++seq}`;
    expect((await net.post('/transport-zones', { name: 'keyed' }, { 'Idempotency-Key': refusedKey })).status).toBe(201);
    const onHost3 = (await compute.post('/dcns', { name: 'vm-3', hostId: 'host-3' })).body.id;
    const attached = await compute.post(`/dcns/${dcnId}/nics`, { portGroupId: pgId });
    expect((await task(attached.body.taskId)).state).toBe('succeeded');
    // Settle what the hosts report, then take both whole logs and both managers' answers.
    await eventually(async () => {
      const nodes = (await net.get('/transport-nodes')).body as Array<{ networks: Array<{ realized: boolean }> }>;
      return nodes.every((n) => n.networks.every((x) => x.realized));
    }, 20000, 'every network realized at its latest revision');
    await eventually(async () => (await compute.get(`/logical-networks/${network.id}`)).body.revision === patched.revision, 20000, 'revision learned');
    await eventually(async () => (await net.get(`/logical-networks/${network.id}`)).body.ports.length === 2, 20000, 'both logical ports reported');
    const snapshot = async () => ({
      nm: await lastPosition(net),
      cm: await lastPosition(compute),
      networks: (await net.get('/logical-networks')).body,
      zones: (await net.get('/transport-zones')).body,
      nodes: (await net.get('/transport-nodes')).body,
      hosts: (await compute.get('/hosts')).body.map((h: { hostId: string; logicalNetworks: string[] }) => [h.hostId, h.logicalNetworks]),
      switches: (await compute.get('/switches')).body,
      dcns: (await compute.get('/dcns')).body,
      learned: (await compute.get('/logical-networks')).body,
    });
    const before = await snapshot();

    const refusals: Array<[(trace: Record<string, string>) => Promise<ApiResponse>, number, string?]> = [
      [(h) => net.post('/logical-networks', { name: 'dup', transportZoneId: zone, vni: network.vni }, h), 409, 'VNI_IN_USE'],
      [(h) => net.delete(`/transport-zones/${zone}`, h), 409, 'ZONE_IN_USE'],
      [(h) => net.delete(`/logical-networks/${network.id}`, h), 409, 'NETWORK_IN_USE'],
      [(h) => net.delete(`/transport-nodes/host-1/zones/${zone}`, h), 409, 'NETWORK_IN_USE'],
      [(h) => net.patch(`/logical-networks/${network.id}`, { mtu: 9000 }, { 'If-Match': String(patched.revision - 1), ...h }), 409, 'VERSION_CONFLICT'],
      [(h) => net.post('/transport-zones', { name: 'not keyed' }, { 'Idempotency-Key': refusedKey, ...h }), 422, 'IDEMPOTENCY_KEY_REUSED'],
      [(h) => net.post('/logical-networks', { name: 'x', transportZoneId: UNKNOWN }, h), 404],
      [(h) => net.patch(`/logical-networks/${UNKNOWN}`, { mtu: 1500 }, h), 404],
      [(h) => net.delete(`/transport-nodes/host-1/zones/${UNKNOWN}`, h), 404],
      [(h) => net.post('/transport-nodes', { hostId: 'host-9', transportZoneIds: [UNKNOWN] }, h), 404],
      [(h) => net.post('/logical-networks', { name: 5, transportZoneId: 'nope' }, h), 400],
      [(h) => net.patch(`/logical-networks/${network.id}`, { vni: 5 }, h), 400],
      [(h) => compute.post('/hosts', { hostId: 'bad id' }, h), 400],
      [(h) => compute.post('/switches', { name: 5, hostIds: 'x' }, h), 400],
      [(h) => compute.post(`/switches/${switchId}/port-groups`, { name: 'x', vlanId: 4095 }, h), 400],
      [(h) => compute.patch(`/switches/${switchId}/port-groups/${pgId}`, { name: 'renamed' }, h), 400],
      [(h) => compute.post('/dcns', { name: 'x', hostId: 'bad id' }, h), 400],
      [(h) => compute.post(`/dcns/${dcnId}/nics`, {}, h), 400],
      [(h) => compute.post(`/dcns/${dcnId}/migrate`, { targetHostId: 'host-1' }, h), 400],
      [(h) => compute.post('/dcns', { name: 'x', hostId: 'nobody' }, h), 404],
      [(h) => compute.post(`/dcns/${UNKNOWN}/nics`, { logicalNetworkId: network.id }, h), 404],
      [(h) => compute.post(`/dcns/${dcnId}/nics`, { portGroupId: UNKNOWN }, h), 404],
      [(h) => compute.post(`/switches/${UNKNOWN}/port-groups`, { name: 'x', vlanId: 1 }, h), 404],
      [(h) => compute.patch(`/switches/${switchId}/port-groups/${UNKNOWN}`, { vlanId: 1 }, h), 404],
      [(h) => compute.post(`/dcns/${UNKNOWN}/migrate`, { targetHostId: 'host-2' }, h), 404],
      [(h) => compute.patch(`/switches/${switchId}/port-groups/${pgId}`, { vlanId: 99 }, { 'If-Match': '1', ...h }), 409, 'VERSION_CONFLICT'],
      [(h) => compute.post(`/dcns/${onHost3}/nics`, { logicalNetworkId: network.id }, h), 409, 'NETWORK_NOT_ON_HOST'],
      [(h) => compute.post(`/dcns/${onHost3}/nics`, { portGroupId: pgId }, h), 409, 'NETWORK_NOT_ON_HOST'],
      [(h) => compute.post(`/dcns/${dcnId}/migrate`, { targetHostId: 'host-3' }, h), 409, 'NETWORK_NOT_ON_TARGET'],
      [(h) => compute.post('/logical-networks', { name: 'x' }, h), 405],
      [(h) => compute.delete(`/logical-networks/${network.id}`, h), 405],
      [(h) => compute.post('/switches', { name: 'x', hostIds: [] }, { 'Idempotency-Key': 'cm-refused', ...h }), 201],
      [(h) => compute.post('/switches', { name: 'y', hostIds: [] }, { 'Idempotency-Key': 'cm-refused', ...h }), 422, 'IDEMPOTENCY_KEY_REUSED'],
    ];
    const traces: string[] = [];
    let created: string | undefined;
    for (const [call, status, code] of refusals) {
      const trace = traced();
      const res = await call(trace);
      expect({ trace, status: res.status, code: res.body?.code }).toEqual({ trace, status, code: code ?? (status < 300 ? undefined : expect.any(String)) });
      if (status < 300) created = res.body.id;
      else traces.push(trace['X-Correlation-Id']);
    }
    for (const trace of traces) {
      expect(await readLog(net, `correlationId=${trace}`)).toEqual([]);
      expect(await readLog(compute, `correlationId=${trace}`)).toEqual([]);
    }
    // Only the one accepted create (whose key the last request reused) was recorded.
    const switchEvents = await readLog(compute, `streamId=${created}`);
    expect(switchEvents).toHaveLength(1);
    const after = await snapshot();
    expect(after).toEqual({
      ...before,
      cm: switchEvents[0].position,
      switches: [...before.switches, expect.objectContaining({ id: created, name: 'x' })],
    });
    expect(await held('host-1')).toContain(network.id);
  }, 60000);
});
