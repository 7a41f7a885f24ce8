import { jest } from '@jest/globals';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';

// Longer than Jest's 5 s default, since a test waits for hosts and managers to converge (10 s each), several in a row (on a loaded machine too).
jest.setTimeout(40000);

/**
 * Logical networks end to end (CONTRACT §3–§5, §6.1): the network manager sends read-only constructs
 * to the hosts of a zone; the compute manager learns them from the hosts only.
 */
describe('logical networks: network manager → hosts → compute manager', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let net: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  let zone1: string;
  let zone2: string;
  let networkId: string;

  const held = async (hostId: string) =>
    ((await hosts.get(`/hosts/${hostId}/logical-networks`)).body as Array<{ id: string; revision: number }>) ?? [];
  const revisionOn = async (hostId: string, id: string) => (await held(hostId)).find((c) => c.id === id)?.revision ?? null;

  beforeAll(async () => {
    await stack.start();
    [nm, cm, ha] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager'),
      stack.startService('host-agent', { HOSTS: '3' }),
    ]);
    net = api(nm.url);
    compute = api(cm.url);
    hosts = api(ha.url);
    zone1 = (await net.post('/transport-zones', { name: 'z1' })).body.id;
    zone2 = (await net.post('/transport-zones', { name: 'z2' })).body.id;
    expect((await net.post('/transport-nodes', { hostId: 'host-1', transportZoneIds: [zone1] })).status).toBe(201);
    expect((await net.post('/transport-nodes', { hostId: 'host-2', transportZoneIds: [zone1] })).status).toBe(201);
    expect((await net.post('/transport-nodes', { hostId: 'host-3', transportZoneIds: [zone2] })).status).toBe(201);
  }, 90000);
  afterAll(() => stack.stop(), 30000);

  it('a network appears on exactly the hosts of its zone, read-only, and in the compute manager per host', async () => {
    const created = await net.post('/logical-networks', { name: 'web', transportZoneId: zone1, mtu: 9000 });
    expect(created.status).toBe(201);
    networkId = created.body.id;

    await eventually(async () => (await revisionOn('host-1', networkId)) === 1 && (await revisionOn('host-2', networkId)) === 1, 10000, 'construct on host-1 and host-2');
    const construct = (await held('host-1')).find((c) => c.id === networkId);
    expect(construct).toEqual({ id: networkId, name: 'web', vni: created.body.vni, mtu: 9000, transportZoneId: zone1, revision: 1, owner: 'network-manager' });
    expect(await revisionOn('host-3', networkId)).toBeNull();
    const hostView = (await hosts.get('/hosts/host-1')).body;
    expect(hostView.networkSwitch.logicalNetworks.map((c: { id: string }) => c.id)).toContain(networkId);

    for (const res of [
      await hosts.put(`/hosts/host-1/logical-networks/${networkId}`, { name: 'mine' }),
      await hosts.patch(`/hosts/host-1/logical-networks/${networkId}`, { name: 'mine' }),
      await hosts.delete(`/hosts/host-1/logical-networks/${networkId}`),
    ]) expect(res.status).toBe(405);
    expect(await revisionOn('host-1', networkId)).toBe(1);

    const learned = await eventually(async () => {
      const n = (await compute.get(`/logical-networks/${networkId}`)).body;
      return n?.hosts?.length === 2 ? n : null;
    }, 10000, 'compute manager to learn it from two hosts');
    expect(learned).toEqual({ ...construct, hosts: ['host-1', 'host-2'] });
    expect((await compute.get('/hosts/host-1')).body.logicalNetworks).toEqual([networkId]);
    expect((await compute.get('/hosts/host-3')).body.logicalNetworks).toEqual([]);

    const realized = await eventually(async () => {
      const n = (await net.get(`/logical-networks/${networkId}`)).body;
      return n.realizedOn.length === 2 ? n : null;
    }, 10000, 'realizedOn from reports');
    expect(realized.realizedOn.sort()).toEqual(['host-1', 'host-2']);
    expect((await net.get('/transport-nodes/host-1')).body.networks).toEqual([{ id: networkId, revision: 1, realized: true }]);
  }, 30000);

  it('an update bumps the revision on every host of the zone, and in the compute manager', async () => {
    const patched = await net.patch(`/logical-networks/${networkId}`, { name: 'web-2' });
    expect(patched.body.revision).toBe(2);
    await eventually(async () => (await revisionOn('host-1', networkId)) === 2 && (await revisionOn('host-2', networkId)) === 2, 10000, 'revision 2 on hosts');
    await eventually(async () => (await compute.get(`/logical-networks/${networkId}`)).body.name === 'web-2', 10000, 'revision 2 in compute manager');
  }, 20000);

  it('a host whose link is cut misses an update and holds the latest after the link returns, with no manual step', async () => {
    await eventually(async () => (await compute.get('/hosts/host-2')).body.connectionState === 'connected', 10000, 'host-2 connected');
    expect((await hosts.put('/hosts/host-2/uplink', { allowedVlans: [100] })).status).toBe(200);
    await eventually(async () => (await compute.get('/hosts/host-2')).body.connectionState === 'disconnected', 10000, 'host-2 disconnected');
    // The host sees it by its own clock, from the last reply it got (a few ms after the manager's).
    await eventually(async () => (await hosts.get('/hosts/host-2')).body.managementConnected === false, 5000, 'host-2 sees its management disconnected');

    await net.patch(`/logical-networks/${networkId}`, { mtu: 1500 });
    // The same agent process applied it for host-1: it reached the agent, host-2's cut link kept it out.
    await eventually(async () => (await revisionOn('host-1', networkId)) === 3, 10000, 'revision 3 on host-1');
    expect(await revisionOn('host-2', networkId)).toBe(2);

    expect((await hosts.put('/hosts/host-2/uplink', { allowedVlans: [] })).status).toBe(200);
    await eventually(async () => (await revisionOn('host-2', networkId)) === 3, 10000, 'host-2 converged after the link returned');
    await eventually(async () => (await compute.get('/hosts/host-2')).body.connectionState === 'connected', 10000, 'host-2 connected again');
  }, 40000);

  it('a host agent restarted without any manager reachable serves its constructs from its local store', async () => {
    await ha.stop();
    await stack.nats.stop();
    ha = await stack.startService('host-agent', { HOSTS: '3' }, { healthy: false });
    hosts = api(ha.url);
    expect(await revisionOn('host-1', networkId)).toBe(3);
    expect(await revisionOn('host-2', networkId)).toBe(3);
    await stack.restartNats();
  }, 40000);

  it('a DCN NIC on a logical network becomes a logical port on its host, which keeps the network from being deleted', async () => {
    await eventually(async () => (await hosts.get('/hosts/host-1')).body.managementConnected === true, 15000, 'host-1 reconnected');
    const other = (await net.post('/logical-networks', { name: 'app', transportZoneId: zone1 })).body;
    await eventually(async () => (await compute.get('/hosts/host-1')).body.logicalNetworks?.includes(other.id), 15000, 'compute manager learned it');
    const dcn = (await compute.post('/dcns', { name: 'vm-app', hostId: 'host-1' })).body;
    const refused = await compute.post(`/dcns/${dcn.id}/nics`, { logicalNetworkId: networkId.replace(/.$/, (c) => (c === '0' ? '1' : '0')) });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('NETWORK_NOT_ON_HOST');
    const nic = await compute.post(`/dcns/${dcn.id}/nics`, { logicalNetworkId: other.id });
    expect(nic.status).toBe(201);
    await eventually(async () => (await compute.get(`/tasks/${nic.body.taskId}`)).body.state === 'succeeded', 10000, 'port realized');
    const port = (await hosts.get('/hosts/host-1')).body.networkSwitch.ports.find((p: { id: string }) => p.id === nic.body.portId);
    expect(port).toMatchObject({ logicalNetworkId: other.id, connectee: { type: 'dcn', dcnId: dcn.id, nicId: nic.body.id } });
    await eventually(async () => (await net.get(`/logical-networks/${other.id}`)).body.ports.length === 1, 10000, 'network manager sees the port');
    expect((await net.get(`/logical-networks/${other.id}`)).body.ports).toEqual([{ hostId: 'host-1', portId: nic.body.portId, dcnId: dcn.id }]);
    const blocked = await net.delete(`/logical-networks/${other.id}`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.code).toBe('NETWORK_IN_USE');
  }, 40000);

  it('a delete removes the network from every host and from the compute manager', async () => {
    await eventually(async () => (await hosts.get('/hosts/host-1')).body.managementConnected === true, 15000, 'host-1 reconnected');
    expect((await net.delete(`/logical-networks/${networkId}`)).status).toBe(204);
    await eventually(async () => (await revisionOn('host-1', networkId)) === null && (await revisionOn('host-2', networkId)) === null, 15000, 'removed from hosts');
    await eventually(async () => (await compute.get(`/logical-networks/${networkId}`)).status === 404, 15000, 'removed from compute manager');
  }, 40000);

  it('bad input on the host agent: 400 naming the field', async () => {
    const cases: Array<[Promise<{ status: number; body: { message: string } }>, RegExp]> = [
      [hosts.post('/hosts', { hostId: 'bad id' }), /hostId/],
      [hosts.post('/hosts', { hostId: 'h', extra: true }), /extra/],
      [hosts.put('/hosts/host-1/uplink', { allowedVlans: [5000] }), /allowedVlans/],
      [hosts.put('/hosts/host-1/uplink', { allowedVlans: 'all' }), /allowedVlans/],
    ];
    for (const [call, field] of cases) {
      const res = await call;
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(field);
    }
    expect((await hosts.get('/hosts/no-such-host')).status).toBe(404);
  });
});
