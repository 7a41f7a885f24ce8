import { jest } from '@jest/globals';
import { jetstreamManager, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  HOST_REPORTS_STREAM,
  KV_HOST_PORTS,
  KV_LOGICAL_NETWORKS,
  KV_SWITCHES,
  KV_TRANSPORT_NODES,
  MODULE_DATA_STREAM,
} from '@vnet/contracts';
import { compareLogAndStream, logEventIds, streamMsgIds } from './harness/bus-audit.js';
import { readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Longer than Jest's 5 s default: three NATS nodes, 50 hosts, a leader election after a kill -9 (on a loaded machine too).
jest.setTimeout(120000);

const HOSTS = 50;
const EVENTS = 'EVENTS_COMPUTE_MANAGER';
/** Everything the services create on the bus, each to be held by all three nodes. */
const STREAMS = [
  EVENTS,
  'EVENTS_NETWORK_MANAGER',
  HOST_REPORTS_STREAM,
  MODULE_DATA_STREAM,
  ...[KV_SWITCHES, KV_HOST_PORTS, KV_LOGICAL_NETWORKS, KV_TRANSPORT_NODES].map((b) => `KV_${b}`),
  'OBJ_vnet-snapshots',
];

/**
 * A 3-node NATS cluster (CONTRACT §1 NATS_REPLICAS=3): every stream and bucket the services create
 * has three replicas; a push to 50 hosts and a migration work on it; and kill -9 of the node that
 * leads the compute manager's event stream, in the middle of a series of port-group changes, loses
 * and duplicates nothing, while hosts converge with the node down and again once it is back.
 */
describe('a 3-node NATS cluster with NATS_REPLICAS=3', () => {
  const stack = new SuiteStack({ natsCluster: 3 });
  let cm: RunningService;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const members = Array.from({ length: HOSTS }, (_, i) => `host-${i + 1}`);
  let switchId: string;
  let web: string;

  const revisionOn = async (hostId: string) =>
    (await hosts.get(`/hosts/${hostId}`)).body.computeSwitches.find((s: { id: string }) => s.id === switchId)?.revision ?? 0;
  const switchRevision = async () => (await compute.get(`/switches/${switchId}`)).body.revision as number;
  /** Waits until every host runs the switch's latest revision; answers how long that took. */
  const converged = async (what: string, timeoutMs = 60000) => {
    const t0 = Date.now();
    const target = await switchRevision();
    await eventually(async () => (await Promise.all(members.map(revisionOn))).every((r) => r === target), timeoutMs, what);
    return Date.now() - t0;
  };
  /** Waits until every replica of `stream` has caught up with its leader. */
  const replicasCurrent = (stream: string) =>
    eventually(
      async () => {
        const { cluster } = await jsm.streams.info(stream);
        return cluster?.leader && cluster.replicas?.length === 2 && cluster.replicas.every((r) => r.current && !r.offline);
      },
      60000,
      `every replica of ${stream} current`,
    );

  beforeAll(async () => {
    await stack.start();
    nc = await connect(await stack.natsOptions('admin', { maxReconnectAttempts: -1 }));
    jsm = await jetstreamManager(nc, { timeout: 10000 });
    // A bucket made with one replica before the services ran (an older deployment): they scale it.
    await new Kvm(nc).create(KV_HOST_PORTS, { history: 1, replicas: 1 });
    const [, started] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager', { TASK_TIMEOUT_MS: '30000', MIGRATION_TIMEOUT_MS: '20000' }),
    ]);
    cm = started;
    const ha = await stack.startService('host-agent', { HOSTS: String(HOSTS) });
    compute = api(cm.url);
    hosts = api(ha.url);
    await eventually(
      async () => (await compute.get('/hosts')).body.length === HOSTS,
      60000,
      'every host known to the compute manager',
    );
    const created = await compute.post('/switches', { name: 'dvs', hostIds: members, rollbackTimeoutMs: 5000 });
    switchId = created.body.id;
    expect((await taskEnd(compute, created.body.taskId, 60000)).state).toBe('succeeded');
    const pg = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 });
    web = pg.body.portGroupId;
    expect((await taskEnd(compute, pg.body.taskId, 60000)).state).toBe('succeeded');
  }, 180000);
  afterAll(async () => {
    await nc?.close();
    await stack.stop();
  }, 60000);

  it('every stream, bucket and object store the services created has three replicas, and so have their consumers', async () => {
    const infos: StreamInfo[] = [];
    for await (const info of jsm.streams.list()) infos.push(info);
    const byName = new Map(infos.map((i) => [i.config.name, i]));
    for (const name of STREAMS) {
      const info = byName.get(name);
      expect({ name, replicas: info?.config.num_replicas }).toEqual({ name, replicas: 3 });
      expect(info?.cluster?.replicas).toHaveLength(2);
    }
    // Durable consumers follow their stream's replica count (num_replicas 0): three copies each.
    let consumers = 0;
    for (const name of [EVENTS, 'EVENTS_NETWORK_MANAGER', HOST_REPORTS_STREAM]) {
      for await (const c of jsm.consumers.list(name)) {
        consumers++;
        expect({ consumer: c.name, replicas: c.cluster?.replicas?.length }).toEqual({ consumer: c.name, replicas: 2 });
      }
    }
    expect(consumers).toBeGreaterThan(0);
  });

  it("a port-group change reaches all 50 hosts, and a migration moves a DCN's port", async () => {
    const patched = await compute.patch(`/switches/${switchId}/port-groups/${web}`, { vlanId: 11 });
    expect(patched.status).toBe(202);
    const task = await taskEnd(compute, patched.body.taskId, 60000);
    expect(task.state).toBe('succeeded');
    expect(Object.keys(task.hosts)).toHaveLength(HOSTS);
    await converged('every host at the change');

    const dcn = (await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' })).body;
    const nic = await compute.post(`/dcns/${dcn.id}/nics`, { portGroupId: web });
    expect(nic.status).toBe(201);
    expect((await taskEnd(compute, nic.body.taskId, 60000)).state).toBe('succeeded');
    const moved = await compute.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'host-2' });
    expect(moved.status).toBe(200);
    expect(moved.body.hostId).toBe('host-2');
    const portsOn = async (hostId: string) =>
      (await hosts.get(`/hosts/${hostId}`)).body.computeSwitches
        .find((s: { id: string }) => s.id === switchId)
        .ports.map((p: { id: string }) => p.id);
    expect(await portsOn('host-2')).toContain(nic.body.portId);
    expect(await portsOn('host-1')).not.toContain(nic.body.portId);
  });

  it("kill -9 of the event stream's leader mid-push: nothing lost or duplicated, hosts converge with it down and after it returns", async () => {
    const before = (await jsm.streams.info(EVENTS)).cluster!.leader!;
    const acknowledged: Array<{ correlationId: string; revision: number }> = [];
    const refused: Array<{ correlationId: string; status: number; code?: string }> = [];
    let running = true;
    let sent = 0;
    const writer = (async () => {
      while (running) {
        const correlationId = `cluster-patch-${++sent}`;
        const r = await compute.patch(
          `/switches/${switchId}/port-groups/${web}`,
          { vlanId: 100 + sent },
          { 'x-correlation-id': correlationId },
        );
        if (r.status === 202) acknowledged.push({ correlationId, revision: r.body.revision });
        else {
          refused.push({ correlationId, status: r.status, code: r.body?.code });
          await new Promise((done) => setTimeout(done, 200));
        }
      }
    })();
    try {
      await eventually(async () => acknowledged.length >= 5, 30000, 'changes acknowledged before the kill');
      await stack.cluster!.kill(before);
      const atKill = acknowledged.length;
      await eventually(async () => acknowledged.length >= atKill + 10, 60000, 'changes acknowledged with the leader killed');
    } finally {
      running = false;
      await writer;
    }
    // Another node leads the stream now; the two left hold it.
    const after = await eventually(
      async () => {
        const leader = (await jsm.streams.info(EVENTS)).cluster?.leader;
        return leader && leader !== before ? leader : null;
      },
      30000,
      'a new leader of the event stream',
    );
    expect(stack.cluster!.running()).not.toContain(before);
    expect(after).not.toBe(before);
    // Refused (never acknowledged) changes are only "dependency unavailable" answers.
    for (const r of refused) expect(r).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    expect(await switchRevision()).toBe(Math.max(...acknowledged.map((a) => a.revision)));
    await converged('every host at the latest revision with the killed node down');

    const audit = async () => {
      // Every acknowledged change is in the log once, and nothing refused is.
      const changes = (await readLog(compute, 'type=PortGroupReconfigured')).filter((e) =>
        e.metadata.correlationId.startsWith('cluster-patch-'),
      );
      const count = new Map<string, number>();
      for (const e of changes) count.set(e.metadata.correlationId, (count.get(e.metadata.correlationId) ?? 0) + 1);
      for (const a of acknowledged)
        expect({ change: a.correlationId, times: count.get(a.correlationId) }).toEqual({ change: a.correlationId, times: 1 });
      for (const r of refused) expect(count.get(r.correlationId)).toBeUndefined();
      // The whole log is in the stream exactly once (the relay may still be catching up at first; a
      // read that times out while the cluster settles is tried again).
      const bus = await eventually(
        async () => {
          const r = compareLogAndStream(await logEventIds(cm.url), await streamMsgIds(nc, EVENTS));
          return r.lost.length === 0 ? r : null;
        },
        60000,
        'the log in the stream',
      );
      expect(bus).toEqual({ lost: [], duplicated: [] });
    };
    await audit();

    // The node comes back, catches up, and the cluster serves a further change to every host.
    await stack.cluster!.startNode(before);
    for (const stream of [EVENTS, `KV_${KV_SWITCHES}`, `KV_${KV_HOST_PORTS}`]) await replicasCurrent(stream);
    const last = await compute.patch(
      `/switches/${switchId}/port-groups/${web}`,
      { vlanId: 42 },
      { 'x-correlation-id': `cluster-patch-${++sent}` },
    );
    expect(last.status).toBe(202);
    acknowledged.push({ correlationId: `cluster-patch-${sent}`, revision: last.body.revision });
    await converged('every host at the latest revision with the node back');
    await audit();
  });
});
