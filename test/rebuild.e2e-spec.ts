import { jest } from '@jest/globals';
import pg from 'pg';
import { cloneStreams } from '../bench/lib/clone-log.mjs';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Longer than Jest's 5 s default: tests wait for host tasks (20 s each) and for rebuilds of tens of thousands of events (on a loaded machine too).
jest.setTimeout(120000);

type Client = ReturnType<typeof api>;

/** Rebuilds, following a 202 until the rebuild has ended; the rebuild as it ended. */
async function rebuild(client: Client): Promise<{ id: string; events: number }> {
  const res = await client.post('/admin/rebuild');
  if (res.status === 200) return res.body;
  expect(res.status).toBe(202);
  const ended = await eventually(async () => {
    const t = (await client.get(`/admin/rebuilds/${res.body.id}`)).body;
    return t.state !== 'running' && t;
  }, 100000, 'the rebuild to end');
  expect(ended.state).toBe('succeeded');
  return { id: ended.id, events: ended.replayed };
}

/**
 * `POST /admin/rebuild` (CONTRACT §2) on a state with every kind of object, on real services and
 * hosts: the same answers afterwards; a rebuild made long answers 202 and shows its progress, and
 * `/health` says so; writers during it all succeed and every change is there afterwards; an event
 * recorded in an older shape reads, and rebuilds, in the current one.
 */
describe('rebuild by replay', () => {
  const stack = new SuiteStack();
  let net: Client;
  let compute: Client;
  let cm: RunningService;
  let db: pg.Client;
  const state: { zone?: string; networks: string[]; switchId?: string; portGroupId?: string; otherPortGroupId?: string; dcnId?: string; nics: Array<{ id: string; portId: string }> } = {
    networks: [],
    nics: [],
  };
  const task = (id: string) => taskEnd(compute, id, 20000);

  beforeAll(async () => {
    await stack.start();
    const [nm, started] = await Promise.all([stack.startService('network-manager'), stack.startService('compute-manager', { TASK_TIMEOUT_MS: '8000' })]);
    cm = started;
    net = api(nm.url);
    compute = api(cm.url);
    for (const hostId of ['host-1', 'host-2', 'host-3']) expect((await compute.post('/hosts', { hostId })).status).toBe(201);
    await stack.startService('host-agent', { HOSTS: '3' });
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
  }, 120000);
  afterAll(async () => {
    await db?.end();
    await stack.stop();
  }, 60000);

  it('builds a state of every kind: networks, transport nodes, host reports, switches, port groups, DCNs with NICs, a migration', async () => {
    state.zone = (await net.post('/transport-zones', { name: 'zone' })).body.id;
    for (const name of ['web', 'db']) state.networks.push((await net.post('/logical-networks', { name, transportZoneId: state.zone })).body.id);
    for (const hostId of ['host-1', 'host-2', 'host-3']) expect((await net.post('/transport-nodes', { hostId, transportZoneIds: [state.zone] })).status).toBe(201);
    await eventually(async () => {
      const learned = (await compute.get('/logical-networks')).body as Array<{ hosts: string[] }>;
      return learned.length === 2 && learned.every((n) => n.hosts.length === 3);
    }, 30000, 'networks reported by every host');
    expect((await net.patch(`/logical-networks/${state.networks[1]}`, { mtu: 9000 })).status).toBe(200);

    const sw = await compute.post('/switches', { name: 'sw', hostIds: ['host-1', 'host-2', 'host-3'] });
    expect(sw.status).toBe(201);
    state.switchId = sw.body.id;
    expect((await task(sw.body.taskId)).state).toBe('succeeded');
    const pg1 = await compute.post(`/switches/${state.switchId}/port-groups`, { name: 'vms', vlanId: 10 });
    expect((await task(pg1.body.taskId)).state).toBe('succeeded');
    state.portGroupId = pg1.body.portGroupId;
    const pg2 = await compute.post(`/switches/${state.switchId}/port-groups`, { name: 'storage', vlanId: 30 });
    expect((await task(pg2.body.taskId)).state).toBe('succeeded');
    state.otherPortGroupId = pg2.body.portGroupId;
    const patched = await compute.patch(`/switches/${state.switchId}/port-groups/${state.portGroupId}`, { vlanId: 20 });
    expect((await task(patched.body.taskId)).state).toBe('succeeded');

    const dcn = await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' });
    expect(dcn.status).toBe(201);
    state.dcnId = dcn.body.id;
    for (const body of [{ logicalNetworkId: state.networks[0] }, { portGroupId: state.portGroupId }]) {
      const nic = await compute.post(`/dcns/${state.dcnId}/nics`, body);
      expect(nic.status).toBe(201);
      expect((await task(nic.body.taskId)).state).toBe('succeeded');
      state.nics.push({ id: nic.body.id, portId: nic.body.portId });
    }
    expect((await compute.post('/dcns', { name: 'vm-2', hostId: 'host-3' })).status).toBe(201);
    const moved = await compute.post(`/dcns/${state.dcnId}/migrate`, { targetHostId: 'host-2' });
    expect(moved.status).toBe(200);
    expect(moved.body.hostId).toBe('host-2');
  });

  it('both managers answer the same after POST /admin/rebuild, and report what they replayed', async () => {
    await eventually(async () => {
      const list = (await net.get('/logical-networks')).body as Array<{ realizedOn: string[]; ports: unknown[] }>;
      const nodes = (await net.get('/transport-nodes')).body as Array<{ networks: Array<{ realized: boolean }> }>;
      const learned = (await compute.get('/logical-networks')).body as Array<{ id: string; revision: number }>;
      return (
        list.every((n) => n.realizedOn.length === 3) &&
        // The migrated NIC's logical port, reported by its new host only (the old one has removed it).
        list[0].ports.length === 1 &&
        (list[0].ports[0] as { hostId: string }).hostId === 'host-2' &&
        nodes.every((n) => n.networks.every((x) => x.realized)) &&
        learned.find((n) => n.id === state.networks[1])?.revision === 2
      );
    }, 20000, 'networks realized at their last revision, the NIC\'s logical port reported');
    const liveness = ({ connectionState: _c, lastSeenAt: _l, ...rest }: Record<string, unknown>) => rest;
    const read = async () => ({
      zones: (await net.get('/transport-zones')).body,
      networks: (await net.get('/logical-networks')).body,
      nodes: (await net.get('/transport-nodes')).body,
      hosts: (await compute.get('/hosts')).body.map(liveness),
      learned: (await compute.get('/logical-networks')).body,
      switches: (await compute.get('/switches')).body,
      switch: (await compute.get(`/switches/${state.switchId}`)).body,
      dcns: (await compute.get('/dcns')).body,
      dcn: (await compute.get(`/dcns/${state.dcnId}`)).body,
      events: (await compute.get('/events?limit=1000')).body,
    });
    const before = await read();
    expect(before.dcn.nics).toHaveLength(2);
    const logged = (await compute.get('/events?limit=1000')).body.events.length;
    for (const client of [net, compute]) {
      const res = await client.post('/admin/rebuild');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ rebuilt: true, id: expect.any(String), events: expect.any(Number), durationMs: expect.any(Number) });
      const followed = (await client.get(`/admin/rebuilds/${res.body.id}`)).body;
      expect(followed).toMatchObject({ id: res.body.id, state: 'succeeded', replayed: res.body.events, total: res.body.events });
    }
    expect(await read()).toEqual(before);
    expect(logged).toBeGreaterThan(20);
    expect((await compute.get('/admin/rebuilds/7d1c5a0e-0b7e-4f7e-9c55-7a1b2c3d4e5f')).status).toBe(404);
  });

  it('a switch created in the event\'s version-1 shape (no mtu) reads with the default MTU, in /events and after a rebuild', async () => {
    const id = '3c1f0e2a-9b8d-4c7e-a6f5-0123456789ab';
    const metadata = { correlationId: 'old', causationId: null, actor: 'admin' };
    await db.query(`INSERT INTO compute_manager.streams (stream_id, version) VALUES ($1, 1)`, [`switch-${id}`]);
    await db.query(
      `INSERT INTO compute_manager.events (id, stream_id, version, type, data, metadata) VALUES (gen_random_uuid(), $1, 1, 'SwitchCreated', $2, $3)`,
      [`switch-${id}`, JSON.stringify({ id, name: 'old', hostIds: [], rollbackTimeoutMs: 30000, revision: 1 }), JSON.stringify(metadata)],
    );
    const [logged] = (await compute.get(`/events?streamId=${id}`)).body.events;
    expect(logged).toMatchObject({ type: 'SwitchCreated', data: { id, name: 'old', mtu: 1500 }, metadata });
    await rebuild(compute);
    expect((await compute.get(`/switches/${id}`)).body).toEqual({ id, name: 'old', revision: 1, hostIds: [], rollbackTimeoutMs: 30000, mtu: 1500, portGroups: [] });
    // A new switch is recorded at the current version, with its MTU.
    const created = await compute.post('/switches', { name: 'new', hostIds: [], mtu: 9000 });
    const [row] = (await db.query(`SELECT data, metadata FROM compute_manager.events WHERE stream_id = $1`, [`switch-${created.body.id}`])).rows;
    expect(row.metadata.schemaVersion).toBe(2);
    expect(row.data.mtu).toBe(9000);
  });

  describe('a long rebuild', () => {
    beforeAll(async () => {
      // Some 40,000 events in the real shapes of this log (copies of the switch, DCN and host streams),
      // written while the compute manager is down, past its relay's checkpoint (nothing to publish),
      // and a threshold that sends every rebuild to the background.
      await cm.stop();
      const templates = [
        // The copies live on hosts of their own (host-1-c<k>, ...): no real host is sent their ports.
        { streamId: `switch-${state.switchId}`, owned: [state.switchId!, state.portGroupId!, state.otherPortGroupId!, 'host-1', 'host-2'] },
        { streamId: `dcn-${state.dcnId}`, owned: [state.dcnId!, ...state.nics.flatMap((n) => [n.id, n.portId])] },
        { streamId: 'host-host-3', owned: ['host-3'] },
      ];
      const perCopy = Number((await db.query(`SELECT count(*) AS n FROM compute_manager.events WHERE stream_id = ANY($1)`, [templates.map((t) => t.streamId)])).rows[0].n);
      await cloneStreams(db, 'compute_manager', templates, Math.ceil(40000 / perCopy));
      await db.query(`UPDATE compute_manager.checkpoints SET (transaction_id, position) =
        (SELECT transaction_id, position FROM compute_manager.events ORDER BY transaction_id DESC, position DESC LIMIT 1) WHERE name = 'relay'`);
      cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '8000', REBUILD_SYNC_WAIT_MS: '0' });
      compute = api(cm.url);
    }, 120000);

    it('answers 202 with the rebuild, whose progress is readable; /health answers 503 naming it meanwhile, 200 once done', async () => {
      const before = { switches: (await compute.get('/switches')).body, dcns: (await compute.get('/dcns')).body };
      const started = await compute.post('/admin/rebuild');
      expect(started.status).toBe(202);
      expect(started.headers.get('location')).toBe(`/admin/rebuilds/${started.body.id}`);
      expect(started.body).toMatchObject({ state: 'running', finishedAt: null, error: null });
      // A second request while it runs joins it.
      expect((await compute.post('/admin/rebuild')).body.id).toBe(started.body.id);

      const seen: Array<{ replayed: number; total: number }> = [];
      const health: Array<{ status: number; message: string }> = [];
      const ended = await eventually(async () => {
        const [t, h] = await Promise.all([compute.get(`/admin/rebuilds/${started.body.id}`), compute.get('/health')]);
        if (t.body.state === 'running') {
          seen.push({ replayed: t.body.replayed, total: t.body.total });
          health.push({ status: h.status, message: h.body.message });
        }
        return t.body.state !== 'running' && t.body;
      }, 100000, 'the rebuild to end');
      expect(ended).toMatchObject({ state: 'succeeded', error: null });
      expect(ended.total).toBeGreaterThan(40000);
      expect(ended.replayed).toBe(ended.total);
      expect(ended.durationMs).toBeGreaterThan(0);
      // Progress only grows, and was seen part way.
      expect(seen.length).toBeGreaterThan(0);
      for (let i = 1; i < seen.length; i++) expect(seen[i].replayed).toBeGreaterThanOrEqual(seen[i - 1].replayed);
      expect(seen.some((s) => s.total === ended.total && s.replayed > 0 && s.replayed < s.total)).toBe(true);
      expect(health.every((h) => h.status === 503 && /read models are being rebuilt/.test(h.message))).toBe(true);
      expect((await compute.get('/health')).status).toBe(200);
      // The copies are there now, the original objects as they were.
      const after = { switches: (await compute.get('/switches')).body, dcns: (await compute.get('/dcns')).body };
      expect(after.switches.length).toBeGreaterThan(before.switches.length);
      expect(after.switches.filter((s: { id: string }) => before.switches.some((b: { id: string }) => b.id === s.id))).toEqual(before.switches);
      expect(after.dcns.filter((d: { id: string }) => before.dcns.some((b: { id: string }) => b.id === d.id))).toEqual(before.dcns);
    });

    it('8 clients writing during a rebuild all succeed, and every change is there afterwards', async () => {
      const started = await compute.post('/admin/rebuild');
      expect(started.status).toBe(202);
      const created: string[][] = Array.from({ length: 8 }, () => []);
      const patched: number[] = [];
      let running = true;
      const writers = created.map(async (mine, w) => {
        // Each keeps writing until the rebuild has ended, and at least twice.
        for (let i = 0; running || i < 2; i++) {
          const res = await compute.post('/dcns', { name: `w${w}-${i}`, hostId: `host-${(w % 3) + 1}` });
          expect(res.status).toBe(201);
          mine.push(res.body.id);
          if (w === 0) {
            const vlanId = 100 + i;
            const p = await compute.patch(`/switches/${state.switchId}/port-groups/${state.portGroupId}`, { vlanId });
            expect(p.status).toBe(202);
            patched.push(vlanId);
          }
        }
      });
      const ended = await eventually(async () => {
        const t = (await compute.get(`/admin/rebuilds/${started.body.id}`)).body;
        return t.state !== 'running' && t;
      }, 100000, 'the rebuild to end');
      running = false;
      await Promise.all(writers);
      expect(ended.state).toBe('succeeded');

      const dcns = new Map(((await compute.get('/dcns')).body as Array<{ id: string; name: string }>).map((d) => [d.id, d]));
      for (const [w, mine] of created.entries()) {
        expect(mine.length).toBeGreaterThanOrEqual(2);
        mine.forEach((id, i) => expect(dcns.get(id)?.name).toBe(`w${w}-${i}`));
      }
      const sw = (await compute.get(`/switches/${state.switchId}`)).body;
      expect(sw.portGroups.find((p: { id: string }) => p.id === state.portGroupId).vlanId).toBe(patched.at(-1));
      // And a rebuild now leaves them as they are.
      const snapshot = { dcns: (await compute.get('/dcns')).body, switch: sw };
      await rebuild(compute);
      expect({ dcns: (await compute.get('/dcns')).body, switch: (await compute.get(`/switches/${state.switchId}`)).body }).toEqual(snapshot);
    });
  });
});
