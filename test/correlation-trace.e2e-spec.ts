import { jest } from '@jest/globals';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { HOST_STATUS_SUBJECTS, type HostApplyStatus } from '@vnet/contracts';
import { readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Waits for tasks (20 s at most each) and for hosts' reports to be recorded by both managers.
jest.setTimeout(60000);

interface SeenStatus {
  status: HostApplyStatus;
  header: string | undefined;
}

/**
 * One change followed end to end by its `X-Correlation-Id` (CONTRACT §2): from the request to its
 * events, to the desired state the hosts receive, to each host's outcome, and to the events both
 * managers record from the hosts' reports of it.
 */
describe('a correlation id followed from a request to the hosts and back', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let net: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let agent: ReturnType<typeof api>;
  let nc: NatsConnection;
  let statusSub: Subscription;
  const statuses: SeenStatus[] = [];
  let networkId: string;
  let switchId: string;
  let pgId: string;
  const trace = (what: string) => `trace-${what}-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    await stack.start();
    let ha: RunningService;
    [nm, cm, ha] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager'),
      stack.startService('host-agent', { HOSTS: '2' }),
    ]);
    agent = api(ha.url);
    net = api(nm.url);
    compute = api(cm.url);
    nc = await connect(await stack.natsOptions());
    statusSub = nc.subscribe(HOST_STATUS_SUBJECTS, {
      callback: (err, msg) => {
        if (!err)
          statuses.push({ status: msg.json<HostApplyStatus>(), header: msg.headers?.get('vnet-correlation-id') || undefined });
      },
    });
    const zone = (await net.post('/transport-zones', { name: 'overlay' })).body.id;
    networkId = (await net.post('/logical-networks', { name: 'web', transportZoneId: zone })).body.id;
    for (const hostId of ['host-1', 'host-2'])
      expect((await net.post('/transport-nodes', { hostId, transportZoneIds: [zone] })).status).toBe(201);
    await eventually(
      async () => (await net.get(`/logical-networks/${networkId}`)).body.realizedOn.length === 2,
      20000,
      'both hosts to realize the network',
    );
    await eventually(
      async () => (await compute.get('/hosts')).body.length === 2,
      20000,
      'both hosts known to the compute manager',
    );
    const sw = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] });
    switchId = sw.body.id;
    expect((await taskEnd(compute, sw.body.taskId)).state).toBe('succeeded');
    const pg = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 });
    pgId = pg.body.portGroupId;
    expect((await taskEnd(compute, pg.body.taskId)).state).toBe('succeeded');
  }, 120000);
  afterAll(async () => {
    statusSub?.unsubscribe();
    await nc?.close();
    await stack.stop();
  }, 60000);

  it("follows a port-group PATCH to its event and to each host's apply outcome", async () => {
    const id = trace('pg');
    const res = await compute.patch(`/switches/${switchId}/port-groups/${pgId}`, { vlanId: 20 }, { 'X-Correlation-Id': id });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-correlation-id')).toBe(id);
    expect((await taskEnd(compute, res.body.taskId)).state).toBe('succeeded');
    const revision = (await compute.get(`/switches/${switchId}`)).body.revision;

    const events = await readLog(compute, `correlationId=${id}`);
    expect(events.map((e) => [e.type, e.streamId, e.data.revision])).toEqual([['PortGroupReconfigured', switchId, revision]]);
    // Each host's outcome of that revision answers with the same id, in its body and its header.
    const ofRevision = () =>
      statuses.filter((s) => s.status.kind === 'switch' && s.status.targetId === switchId && s.status.revision === revision);
    const outcomes = await eventually(
      async () => (new Set(ofRevision().map((s) => s.status.hostId)).size === 2 ? ofRevision() : null),
      10000,
      'both outcomes',
    );
    expect([...new Set(outcomes.map((s) => s.status.hostId))].sort()).toEqual(['host-1', 'host-2']);
    for (const { status, header } of outcomes) {
      expect(status).toMatchObject({ state: 'applied', correlationId: id });
      expect(header).toBe(id);
    }
    // Outcomes of earlier changes answer theirs, not this one.
    expect(statuses.filter((s) => s.status.correlationId === id).every((s) => s.status.revision === revision)).toBe(true);
  });

  it("follows a logical-network PATCH to the events both managers record from the hosts' reports of it", async () => {
    const id = trace('ln');
    const res = await net.patch(`/logical-networks/${networkId}`, { mtu: 9000 }, { 'X-Correlation-Id': id });
    expect(res.status).toBe(200);
    const revision = res.body.revision;

    const realized = (e: { type: string; data: any }) =>
      e.type === 'HostNetworksRealized' &&
      e.data.realized.some((n: { id: string; revision: number }) => n.id === networkId && n.revision === revision);
    const onNetworkManager = await eventually(
      async () => {
        const events = await readLog(net, `correlationId=${id}`);
        return events.filter(realized).length === 2 ? events : null;
      },
      20000,
      'the network manager to record both hosts realizing the new revision under the same id',
    );
    expect(onNetworkManager[0]).toMatchObject({
      type: 'LogicalNetworkUpdated',
      streamId: networkId,
      metadata: { correlationId: id, actor: 'admin' },
    });
    expect(
      onNetworkManager
        .filter(realized)
        .map((e) => [e.streamId, e.metadata.actor])
        .sort(),
    ).toEqual([
      ['host-1', 'host:host-1'],
      ['host-2', 'host:host-2'],
    ]);

    // The compute manager learns the construct only from the hosts: its events of it carry the id too.
    const onComputeManager = await eventually(
      async () => {
        const events = await readLog(compute, `correlationId=${id}`);
        return new Set(events.map((e) => e.streamId)).size === 2 ? events : null;
      },
      20000,
      'the compute manager to record both hosts reporting the new revision under the same id',
    );
    expect(onComputeManager.every((e) => e.type === 'HostNetworksReported')).toBe(true);
    expect(onComputeManager.map((e) => e.streamId).sort()).toEqual(['host-1', 'host-2']);
    expect(JSON.stringify(onComputeManager.map((e) => e.data))).toContain(networkId);
  });

  it("follows a NIC attach to the host's ports outcome and to the reported logical port", async () => {
    const dcn = (await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' })).body.id;
    const id = trace('nic');
    const nic = await compute.post(`/dcns/${dcn}/nics`, { logicalNetworkId: networkId }, { 'X-Correlation-Id': id });
    expect(nic.status).toBe(201);
    expect((await taskEnd(compute, nic.body.taskId)).state).toBe('succeeded');
    const outcome = await eventually(
      async () =>
        statuses.find((s) => s.status.kind === 'ports' && s.status.hostId === 'host-1' && s.status.correlationId === id),
      10000,
      "host-1's ports outcome with the id",
    );
    expect(outcome).toMatchObject({ status: { state: 'applied' }, header: id });
    const reported = await eventually(
      async () => (await readLog(net, `correlationId=${id}`)).find((e) => e.type === 'HostLogicalPortsReported'),
      20000,
      'the network manager to record the logical port under the same id',
    ).catch(async (err: Error) => {
      // What each side holds, so that a failure says where the id was lost.
      const recorded = (await readLog(net, 'streamId=host-1')).map((e) => [e.type, e.metadata.correlationId, e.data.seq, JSON.stringify(e.data.ports ?? null)]);
      const outcomes = statuses
        .filter((st) => st.status.kind === 'ports' && st.status.hostId === 'host-1')
        .map((st) => [st.status.revision, st.status.state, st.status.correlationId]);
      const journal = (await agent.get('/hosts/host-1/events?limit=1000')).body.events?.filter((e: { type: string }) => e.type === 'PortsApplied');
      throw new Error(`${err.message}\nnetwork manager, host-1: ${JSON.stringify(recorded)}\nports outcomes of host-1: ${JSON.stringify(outcomes)}\nhost-1's PortsApplied: ${JSON.stringify(journal)}`);
    });
    expect(reported.streamId).toBe('host-1');
    expect(reported.data.ports).toEqual([{ id: nic.body.portId, logicalNetworkId: networkId, dcnId: dcn }]);
  });
});
