import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd as taskEndOn } from './harness/tasks.js';

const WRITERS = 32;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * CONTRACT §2, concurrency: a PATCH without If-Match is applied to the latest state and none is
 * refused for a concurrent write; with a stale If-Match it is 409 VERSION_CONFLICT. Creates under
 * one parent (port groups of one switch, NICs of one DCN, transport nodes of one zone) all land.
 * 32 writers at once per resource kind, against the real services.
 */
describe('concurrent writers of one resource', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let net: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  let zoneId: string;
  let networkId: string;
  let switchId: string;

  const streamEvents = async (service: ReturnType<typeof api>, streamId: string) =>
    (await service.get(`/events?streamId=${streamId}&limit=1000`)).body.events as Array<{ type: string; version: number }>;
  const taskEnd = (id: string) => taskEndOn(compute, id, 40000);

  beforeAll(async () => {
    await stack.start();
    [nm, cm, ha] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager'),
      stack.startService('host-agent', { HOSTS: '2' }),
    ]);
    net = api(nm.url);
    compute = api(cm.url);
    hosts = api(ha.url);
    zoneId = (await net.post('/transport-zones', { name: 'z' })).body.id;
    networkId = (await net.post('/logical-networks', { name: 'web', transportZoneId: zoneId })).body.id;
    await net.post('/transport-nodes', { hostId: 'host-1', transportZoneIds: [zoneId] });
    await eventually(async () => (await compute.get('/hosts/host-1')).body.logicalNetworks?.includes(networkId), 20000, 'host-1 to hold the network');
    await eventually(async () => (await compute.get('/hosts')).body.length === 2, 20000, 'both hosts known');
    const created = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] });
    switchId = created.body.id;
    expect((await taskEnd(created.body.taskId)).state).toBe('succeeded');
  }, 90000);
  afterAll(() => stack.stop(), 30000);

  it(`${WRITERS} PATCHes of one logical network without If-Match: all 200, each a revision of its own, none lost`, async () => {
    const answers = await Promise.all(range(WRITERS).map((i) => net.patch(`/logical-networks/${networkId}`, { name: `web-${i}` })));
    expect(answers.map((a) => a.status)).toEqual(range(WRITERS).map(() => 200));
    const after = (await net.get(`/logical-networks/${networkId}`)).body;
    expect(after.revision).toBe(1 + WRITERS);
    const renames = (await streamEvents(net, networkId)).filter((e) => e.type !== 'LogicalNetworkCreated');
    expect(renames).toHaveLength(WRITERS);
    // The last writer's name is what stands.
    const last = answers.find((a) => a.body.revision === 1 + WRITERS)!;
    expect(after.name).toBe(last.body.name);
  }, 60000);

  it(`${WRITERS} PATCHes of one network with the same stale If-Match: exactly one lands, the rest are 409 VERSION_CONFLICT`, async () => {
    const { revision } = (await net.get(`/logical-networks/${networkId}`)).body;
    const answers = await Promise.all(
      range(WRITERS).map((i) => net.patch(`/logical-networks/${networkId}`, { mtu: 1400 + i }, { 'if-match': String(revision) })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(WRITERS - 1);
    for (const r of refused) expect(r.body).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT' });
    expect((await net.get(`/logical-networks/${networkId}`)).body.revision).toBe(revision + 1);
  }, 60000);

  it(`${WRITERS} logical networks created at once in one zone: all 201 with distinct VNIs`, async () => {
    const answers = await Promise.all(range(WRITERS).map((i) => net.post('/logical-networks', { name: `n-${i}`, transportZoneId: zoneId })));
    expect(answers.map((a) => a.status)).toEqual(range(WRITERS).map(() => 201));
    expect(new Set(answers.map((a) => a.body.vni)).size).toBe(WRITERS);
  }, 60000);

  it(`${WRITERS} transport nodes joining one zone at once: all 201, all listed`, async () => {
    const answers = await Promise.all(range(WRITERS).map((i) => net.post('/transport-nodes', { hostId: `tn-${i}`, transportZoneIds: [zoneId] })));
    expect(answers.map((a) => a.status)).toEqual(range(WRITERS).map(() => 201));
    const listed = ((await net.get('/transport-nodes')).body as Array<{ hostId: string; transportZoneIds: string[] }>).filter((n) => n.hostId.startsWith('tn-'));
    expect(listed.map((n) => n.hostId).sort()).toEqual(range(WRITERS).map((i) => `tn-${i}`).sort());
    for (const n of listed) expect(n.transportZoneIds).toEqual([zoneId]);
  }, 60000);

  it(`${WRITERS} port groups created on one switch at once: all 202, all on the switch and on its hosts`, async () => {
    const before = (await compute.get(`/switches/${switchId}`)).body.revision;
    const answers = await Promise.all(range(WRITERS).map((i) => compute.post(`/switches/${switchId}/port-groups`, { name: `pg-${i}`, vlanId: 100 + i })));
    expect(answers.map((a) => a.status)).toEqual(range(WRITERS).map(() => 202));
    const sw = (await compute.get(`/switches/${switchId}`)).body;
    expect(sw.revision).toBe(before + WRITERS);
    expect(sw.portGroups.map((pg: { id: string }) => pg.id).sort()).toEqual(answers.map((a) => a.body.portGroupId).sort());
    for (const a of answers) expect(['succeeded']).toContain((await taskEnd(a.body.taskId)).state);
    await eventually(async () => {
      const held = (await hosts.get('/hosts/host-2')).body.computeSwitches.find((s: { id: string }) => s.id === switchId);
      return held?.revision === sw.revision && held.portGroups.length === WRITERS;
    }, 20000, 'host-2 to hold every port group');
  }, 120000);

  it(`${WRITERS} PATCHes of one port group without If-Match: all 202, each its own revision, the last VLAN on every host`, async () => {
    const pgId = (await compute.get(`/switches/${switchId}`)).body.portGroups[0].id;
    const before = (await compute.get(`/switches/${switchId}`)).body.revision;
    const answers = await Promise.all(range(WRITERS).map((i) => compute.patch(`/switches/${switchId}/port-groups/${pgId}`, { vlanId: 1000 + i })));
    expect(answers.map((a) => a.status)).toEqual(range(WRITERS).map(() => 202));
    expect(answers.map((a) => a.body.revision).sort((a, b) => a - b)).toEqual(range(WRITERS).map((i) => before + 1 + i));
    const sw = (await compute.get(`/switches/${switchId}`)).body;
    expect(sw.revision).toBe(before + WRITERS);
    const last = answers.find((a) => a.body.revision === sw.revision)!;
    const vlan = sw.portGroups.find((pg: { id: string }) => pg.id === pgId).vlanId;
    const lastIndex = answers.indexOf(last);
    expect(vlan).toBe(1000 + lastIndex);
    for (const hostId of ['host-1', 'host-2']) {
      await eventually(async () => {
        const held = (await hosts.get(`/hosts/${hostId}`)).body.computeSwitches.find((s: { id: string }) => s.id === switchId);
        return held?.revision === sw.revision && held.portGroups.find((pg: { id: string }) => pg.id === pgId)?.vlanId === vlan;
      }, 20000, `${hostId} at the last revision`);
    }
  }, 120000);

  it(`${WRITERS} NICs attached to one DCN at once: all 201, each its own port, all on the DCN`, async () => {
    const dcn = (await compute.post('/dcns', { name: 'vm', hostId: 'host-1' })).body;
    const pgId = (await compute.get(`/switches/${switchId}`)).body.portGroups[1].id;
    const answers = await Promise.all(
      range(WRITERS).map((i) => compute.post(`/dcns/${dcn.id}/nics`, i % 2 ? { logicalNetworkId: networkId } : { portGroupId: pgId })),
    );
    expect(answers.map((a) => a.status)).toEqual(range(WRITERS).map(() => 201));
    expect(new Set(answers.map((a) => a.body.portId)).size).toBe(WRITERS);
    const after = (await compute.get(`/dcns/${dcn.id}`)).body;
    expect(after.nics.map((n: { id: string }) => n.id).sort()).toEqual(answers.map((a) => a.body.id).sort());
    for (const a of answers) expect((await taskEnd(a.body.taskId)).state).toBe('succeeded');
  }, 120000);
});
