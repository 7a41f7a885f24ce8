import { jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type HostApplyStatus, type HostReport, type LogicalNetworkConstruct, type SwitchDesired } from '@vnet/contracts';
import { lastPosition, recordedAfter } from './harness/event-log.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';

// Longer than Jest's 5 s default, since a test waits for up to two tasks (10 s each), some of which first wait out the 3 s task or migration timeout (on a loaded machine too).
jest.setTimeout(45000);

const ZONE = '7d1c5a0e-0b7e-4f7e-9c55-7a1b2c3d4e5f';
const construct = (id: string, name: string, vni: number): LogicalNetworkConstruct => ({
  id, name, vni, mtu: 1500, transportZoneId: ZONE, revision: 1, owner: 'network-manager',
});
const WEB = '0f8b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const WEB_TWIN = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

/**
 * The compute manager's switches, tasks and DCNs, with hosts played by the test through NATS exactly
 * as host agents speak (reports, apply status), so that each outcome can be chosen.
 */
describe('compute manager: switches, tasks, DCNs', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let admin: ReturnType<typeof api>;
  let nc: NatsConnection;
  const seq: Record<string, number> = {};
  const silent = new Set<string>();
  let portsKv: KV;
  /** What a host must run for the compute side (the `vnet-host-ports` bucket it watches). */
  const hostPorts = async (hostId: string) =>
    (await portsKv.get(hostId))?.json<{ revision: number; ports: Array<{ dcnId: string; nicId: string }> }>() ?? { revision: 0, ports: [] };
  const portsOf = async (hostId: string, dcnId: string) => (await hostPorts(hostId)).ports.filter((p) => p.dcnId === dcnId).length;

  const report = async (hostId: string, held: LogicalNetworkConstruct[]) => {
    seq[hostId] = (seq[hostId] ?? 0) + 1;
    const r: HostReport = {
      hostId, bootId: 'boot', seq: seq[hostId], held: held.map((c) => ({ id: c.id, revision: c.revision })), upserted: held, removed: [], sentAt: new Date().toISOString(),
    };
    await jetstream(nc).publish(`hosts.${hostId}.report`, JSON.stringify(r), { msgID: `${hostId}:boot:${seq[hostId]}` });
  };
  const status = (s: Omit<HostApplyStatus, 'sentAt'>) => nc.publish(`cm.status.${s.hostId}`, JSON.stringify({ ...s, sentAt: new Date().toISOString() }));

  beforeAll(async () => {
    await stack.start();
    cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '3000', MIGRATION_TIMEOUT_MS: '3000' });
    admin = api(cm.url);
    nc = await connect(await stack.natsOptions());
    // Play hosts h1..h4: apply every switch and ports change they are sent, unless silenced.
    const kvm = new Kvm(nc);
    const switches = await kvm.create('vnet-switches', { history: 1 });
    const ports = await kvm.create('vnet-host-ports', { history: 1 });
    portsKv = ports;
    void (async () => {
      for await (const e of await switches.watch()) {
        if (!e.value.length) continue;
        const sw = e.json<SwitchDesired>();
        for (const h of sw.hostIds) if (!silent.has(h)) status({ hostId: h, kind: 'switch', targetId: sw.id, revision: sw.revision, state: 'applied' });
      }
    })();
    void (async () => {
      for await (const e of await ports.watch()) {
        if (!e.value.length) continue;
        const p = e.json<{ hostId: string; revision: number }>();
        if (!silent.has(p.hostId)) status({ hostId: p.hostId, kind: 'ports', targetId: p.hostId, revision: p.revision, state: 'applied' });
      }
    })();
    await report('h1', [construct(WEB, 'web', 5001)]);
    await report('h2', [construct(WEB, 'web', 5001)]);
    await report('h3', [construct(WEB_TWIN, 'web', 5001)]);
    await report('h4', []);
    await eventually(async () => (await admin.get('/hosts')).body.length === 4, 10000, 'hosts discovered');
  }, 60000);
  afterAll(async () => {
    await nc.close();
    await stack.stop();
  }, 30000);

  const task = (id: string) => eventually(async () => {
    const t = (await admin.get(`/tasks/${id}`)).body;
    return t.state !== 'running' ? t : null;
  }, 10000, `task ${id} to end`);

  let switchId: string;
  let pgId: string;

  it('creates a switch (201 with a task) that succeeds when every member host applied it', async () => {
    const created = await admin.post('/switches', { name: 'dvs-1', hostIds: ['h1', 'h2', 'h4'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'dvs-1', revision: 1, hostIds: ['h1', 'h2', 'h4'], rollbackTimeoutMs: 30000, mtu: 1500, portGroups: [] });
    switchId = created.body.id;
    const t = await task(created.body.taskId);
    expect(t).toMatchObject({ kind: 'switch.create', state: 'succeeded' });
    expect(Object.keys(t.hosts).sort()).toEqual(['h1', 'h2', 'h4']);
    expect(t.finishedAt).not.toBeNull();
  });

  it('adds and reconfigures port groups as new revisions; a PATCH that changes nothing keeps the revision', async () => {
    const pg = await admin.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10, policy: { security: { promiscuous: false, macChanges: true, forgedTransmits: false } } });
    expect(pg.status).toBe(202);
    pgId = pg.body.portGroupId;
    expect((await task(pg.body.taskId)).state).toBe('succeeded');
    const sw = (await admin.get(`/switches/${switchId}`)).body;
    expect(sw.revision).toBe(2);
    expect(sw.portGroups[0]).toMatchObject({ id: pgId, name: 'web', vlanId: 10, management: false, policy: { security: { macChanges: true } } });
    expect(sw.portGroups[0].policy.teaming.policy).toBe('loadbalance_srcid');

    const patched = await admin.patch(`/switches/${switchId}/port-groups/${pgId}`, { vlanId: 20 });
    expect(patched.status).toBe(202);
    expect((await task(patched.body.taskId)).state).toBe('succeeded');
    expect((await admin.get(`/switches/${switchId}`)).body.revision).toBe(3);
    const same = await admin.patch(`/switches/${switchId}/port-groups/${pgId}`, { vlanId: 20 });
    expect(same.status).toBe(200);
    expect(same.body.revision).toBe(3);
    expect((await admin.get(`/tasks/${same.body.taskId}`)).body.state).toBe('succeeded');
    expect((await admin.get(`/switches/${switchId}`)).body.revision).toBe(3);
    const stale = await admin.patch(`/switches/${switchId}/port-groups/${pgId}`, { vlanId: 30 }, { 'If-Match': '2' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
  });

  it('a host that does not answer leaves the task failed, naming it', async () => {
    silent.add('h4');
    const patched = await admin.patch(`/switches/${switchId}/port-groups/${pgId}`, { vlanId: 40 });
    const t = await task(patched.body.taskId);
    expect(t.state).toBe('failed');
    expect(t.hosts.h4.state).toBe('failed');
    expect(t.hosts.h1.state).toBe('succeeded');
    silent.delete('h4');
  });

  it('serves the switch as of a point of the log', async () => {
    const events = (await admin.get(`/events?streamId=${switchId}&limit=1000`)).body.events;
    const second = events.find((e: { version: number }) => e.version === 2).position;
    const then = await admin.get(`/switches/${switchId}?asOf=${second}`);
    expect(then.body.revision).toBe(2);
    expect(then.body.portGroups[0].vlanId).toBe(10);
    expect((await admin.get(`/switches/${switchId}?asOf=${new Date().toISOString()}`)).body.revision).toBe(4);
  });

  it('attaches NICs only to networks the DCN host holds (by id), and port groups of its switches', async () => {
    const dcn = (await admin.post('/dcns', { name: 'vm-1', hostId: 'h1' })).body;
    expect(dcn).toMatchObject({ name: 'vm-1', hostId: 'h1', nics: [] });
    const refused = await admin.post(`/dcns/${dcn.id}/nics`, { logicalNetworkId: WEB_TWIN });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('NETWORK_NOT_ON_HOST');
    const nic = await admin.post(`/dcns/${dcn.id}/nics`, { logicalNetworkId: WEB });
    expect(nic.status).toBe(201);
    expect(nic.body).toMatchObject({ portId: expect.any(String), network: { kind: 'logical', id: WEB } });
    expect((await task(nic.body.taskId)).state).toBe('succeeded');
    const pgNic = await admin.post(`/dcns/${dcn.id}/nics`, { portGroupId: pgId });
    expect(pgNic.status).toBe(201);

    const onH3 = (await admin.post('/dcns', { name: 'vm-3', hostId: 'h3' })).body;
    const notMember = await admin.post(`/dcns/${onH3.id}/nics`, { portGroupId: pgId });
    expect(notMember.status).toBe(409);
    expect(notMember.body.code).toBe('NETWORK_NOT_ON_HOST');
    expect((await admin.post(`/dcns/${dcn.id}/nics`, {})).status).toBe(400);
    expect((await admin.post(`/dcns/${dcn.id}/nics`, { logicalNetworkId: WEB, portGroupId: pgId })).status).toBe(400);
  });

  it('migration: refused by id with a same-named network on the target, nothing changes; allowed to a host with both, recording only the move', async () => {
    const dcn = (await admin.get('/dcns')).body.find((d: { name: string }) => d.name === 'vm-1');
    const before = await lastPosition(admin);
    const refused = await admin.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'h3' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('NETWORK_NOT_ON_TARGET');
    expect(refused.body.missing.sort()).toEqual([WEB, pgId].sort());
    expect(await lastPosition(admin)).toBe(before);
    expect((await admin.get(`/dcns/${dcn.id}`)).body.hostId).toBe('h1');

    const moved = await admin.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'h2' });
    expect(moved.status).toBe(200);
    expect(moved.body.hostId).toBe('h2');
    expect(moved.body.nics).toHaveLength(2);
    const recorded = await recordedAfter(admin, before);
    expect(recorded.map((e) => ({ type: e.type, data: e.data }))).toEqual([{ type: 'DcnMigrated', data: { id: dcn.id, from: 'h1', to: 'h2' } }]);
    expect(await portsOf('h1', dcn.id)).toBe(0);
    expect(await portsOf('h2', dcn.id)).toBe(2);
  });

  it('migration to a target that does not answer: 504 HOST_TIMEOUT, nothing moves and nothing is recorded', async () => {
    const dcn = (await admin.get('/dcns')).body.find((d: { name: string }) => d.name === 'vm-1');
    const before = await lastPosition(admin);
    const revisionBefore = (await hostPorts('h1')).revision;
    silent.add('h1');
    const pending = admin.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'h1' });
    // The target is given the DCN's ports first, at a new revision.
    const tentative = await eventually(async () => (await portsOf('h1', dcn.id)) > 0 && (await hostPorts('h1')).revision, 5000, 'target given the ports');
    expect(tentative).toBeGreaterThan(revisionBefore);
    const res = await pending;
    expect(res.status).toBe(504);
    expect(res.body.code).toBe('HOST_TIMEOUT');
    expect(res.body.message).toMatch(/\bh1\b/);
    expect((await admin.get(`/dcns/${dcn.id}`)).body).toEqual(dcn);
    // The target is given its ports back, at a later revision: none of the DCN's stays in what h1 must run.
    const back = await hostPorts('h1');
    expect(back.revision).toBeGreaterThan(tentative);
    expect(back.ports.filter((p) => p.dcnId === dcn.id)).toEqual([]);
    // The whole log is as it was: a rejected request records no event.
    expect(await lastPosition(admin)).toBe(before);
    silent.delete('h1');
  });

  it('a NIC attach while a migration waits for its target: 409 MIGRATION_IN_PROGRESS; the migration then records its move only', async () => {
    const dcn = (await admin.get('/dcns')).body.find((d: { name: string }) => d.name === 'vm-1');
    const before = await lastPosition(admin);
    silent.add('h1');
    const pending = admin.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'h1' });
    const tentative = await eventually(async () => (await portsOf('h1', dcn.id)) > 0 && (await hostPorts('h1')).revision, 5000, 'target given the ports');
    const attach = await admin.post(`/dcns/${dcn.id}/nics`, { logicalNetworkId: WEB });
    expect(attach.status).toBe(409);
    expect(attach.body.code).toBe('MIGRATION_IN_PROGRESS');
    expect(await lastPosition(admin)).toBe(before);
    // The target answers now: the DCN moves.
    silent.delete('h1');
    status({ hostId: 'h1', kind: 'ports', targetId: 'h1', revision: tentative, state: 'applied' });
    const moved = await pending;
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ ...dcn, hostId: 'h1' });
    const recorded = await recordedAfter(admin, before);
    expect(recorded.map((e) => ({ type: e.type, data: e.data }))).toEqual([{ type: 'DcnMigrated', data: { id: dcn.id, from: 'h2', to: 'h1' } }]);
  });

  it('8 concurrent migrations of one DCN: one proceeds, the 7 others are refused with 409 MIGRATION_IN_PROGRESS', async () => {
    const dcn = (await admin.get('/dcns')).body.find((d: { name: string }) => d.name === 'vm-1');
    expect(dcn.hostId).toBe('h1');
    const before = await lastPosition(admin);
    // The target holds its answer until the 7 others were answered, so that none comes after the move.
    silent.add('h2');
    const answers: Array<{ status: number; body: any } | undefined> = Array.from({ length: 8 });
    const calls = answers.map((_, i) => admin.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'h2' }).then((res) => (answers[i] = res)));
    const tentative = await eventually(
      async () => answers.filter(Boolean).length === 7 && (await portsOf('h2', dcn.id)) > 0 && (await hostPorts('h2')).revision,
      10000,
      '7 answers, and the target given the ports',
    );
    for (const refused of answers.filter(Boolean)) {
      expect(refused!.status).toBe(409);
      expect(refused!.body.code).toBe('MIGRATION_IN_PROGRESS');
    }
    silent.delete('h2');
    status({ hostId: 'h2', kind: 'ports', targetId: 'h2', revision: tentative, state: 'applied' });
    await Promise.all(calls);
    expect(answers.filter((a) => a!.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a!.status === 409)).toHaveLength(7);
    expect((await admin.get(`/dcns/${dcn.id}`)).body.hostId).toBe('h2');
    const recorded = await recordedAfter(admin, before);
    expect(recorded.map((e) => ({ type: e.type, data: e.data }))).toEqual([{ type: 'DcnMigrated', data: { id: dcn.id, from: 'h1', to: 'h2' } }]);
  });

  it('a migration interrupted by a compute manager crash is aborted at restart: no stale port on the target, nothing recorded', async () => {
    const dcn = (await admin.get('/dcns')).body.find((d: { name: string }) => d.name === 'vm-1');
    expect(dcn.hostId).toBe('h2');
    const before = await lastPosition(admin);
    silent.add('h1');
    const pending = admin.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'h1' }).catch(() => null);
    const tentative = await eventually(async () => (await portsOf('h1', dcn.id)) > 0 && (await hostPorts('h1')).revision, 5000, 'target given the ports');
    await cm.kill();
    await pending;
    silent.delete('h1');
    cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '3000', MIGRATION_TIMEOUT_MS: '3000' });
    admin = api(cm.url);
    await eventually(async () => (await portsOf('h1', dcn.id)) === 0, 10000, 'ports taken back from the target');
    expect((await hostPorts('h1')).revision).toBeGreaterThan(tentative);
    expect((await admin.get(`/dcns/${dcn.id}`)).body).toEqual(dcn);
    expect(await lastPosition(admin)).toBe(before);
    // And it can migrate again afterwards.
    expect((await admin.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'h1' })).status).toBe(200);
  }, 30000);

  it('POST /admin/rebuild after migrations changes no answer, and a host\'s next ports revision is still above the last published', async () => {
    const dcn = (await admin.get('/dcns')).body.find((d: { name: string }) => d.name === 'vm-1');
    const answers = async () => ({
      dcns: (await admin.get('/dcns')).body,
      dcn: (await admin.get(`/dcns/${dcn.id}`)).body,
      switches: (await admin.get('/switches')).body,
      hosts: (await admin.get('/hosts')).body.map((h: { hostId: string; logicalNetworks: string[] }) => ({ hostId: h.hostId, logicalNetworks: h.logicalNetworks })),
    });
    const before = await answers();
    const published = (await hostPorts('h1')).revision;
    expect((await admin.post('/admin/rebuild')).status).toBe(200);
    expect(await answers()).toEqual(before);
    // A change of h1's ports after the rebuild reaches h1 (an older revision than the one it holds would be refused).
    const nic = await admin.post(`/dcns/${dcn.id}/nics`, { logicalNetworkId: WEB });
    expect(nic.status).toBe(201);
    expect((await task(nic.body.taskId)).state).toBe('succeeded');
    const after = await hostPorts('h1');
    expect(after.revision).toBeGreaterThan(published);
    expect(after.ports.filter((p) => p.nicId === nic.body.id)).toHaveLength(1);
  });

  it('a stored task past its deadline that no process tracks ends failed, naming the pending host', async () => {
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const id = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
    await db.query(
      `INSERT INTO compute_manager.tasks (id, kind, state, hosts, target, started_at, deadline)
       VALUES ($1, 'switch.update', 'running', $2, $3, now() - interval '1 minute', now() - interval '30 seconds')`,
      [id, JSON.stringify({ h1: { state: 'pending', detail: null } }), JSON.stringify({ kind: 'switch', targetId: switchId, revision: 99 })],
    );
    await db.end();
    const t = await task(id);
    expect(t.state).toBe('failed');
    expect(t.hosts.h1.state).toBe('failed');
  });

  it('a task whose hosts answered across several writes reads back whole from PostgreSQL after a restart', async () => {
    silent.add('h4');
    const patched = await admin.patch(`/switches/${switchId}/port-groups/${pgId}`, { vlanId: 50 });
    const { revision } = (await admin.get(`/switches/${switchId}`)).body;
    // h1 and h2 answer at once and are written as the task's progress; h4 answers once that write is stored.
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await eventually(async () => {
        const { rows } = await db.query('SELECT hosts FROM compute_manager.tasks WHERE id = $1', [patched.body.taskId]);
        const hosts = rows[0]?.hosts as Record<string, { state: string }> | undefined;
        return hosts?.h1.state === 'succeeded' && hosts.h2.state === 'succeeded' && hosts.h4.state === 'pending';
      }, 10000, 'h1 and h2 stored as the task progress, h4 still pending');
    } finally {
      await db.end();
    }
    silent.delete('h4');
    status({ hostId: 'h4', kind: 'switch', targetId: switchId, revision, state: 'applied' });
    expect((await task(patched.body.taskId)).state).toBe('succeeded');
    await cm.stop();
    cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '3000', MIGRATION_TIMEOUT_MS: '3000' });
    admin = api(cm.url);
    const stored = (await admin.get(`/tasks/${patched.body.taskId}`)).body;
    expect(stored.state).toBe('succeeded');
    expect(stored.hosts).toEqual({
      h1: { state: 'succeeded', detail: `applied revision ${revision}` },
      h2: { state: 'succeeded', detail: `applied revision ${revision}` },
      h4: { state: 'succeeded', detail: `applied revision ${revision}` },
    });
  }, 30000);

  it('bad input: 400 naming the field', async () => {
    const cases: Array<[Promise<{ status: number; body: { message: string } }>, RegExp]> = [
      [admin.post('/switches', { name: 'x', hostIds: ['bad id'] }), /hostIds/],
      [admin.post('/switches', { name: 'x', hostIds: [], rollbackTimeoutMs: 999 }), /rollbackTimeoutMs/],
      [admin.post('/switches', { name: 'x', hostIds: [], mtu: 100 }), /mtu/],
      [admin.post(`/switches/${switchId}/port-groups`, { name: 'x', vlanId: 4095 }), /vlanId/],
      [admin.post(`/switches/${switchId}/port-groups`, { name: 'x', vlanId: 1, policy: { teaming: { policy: 'random', notifySwitches: true, failback: true } } }), /policy\.teaming\.policy/],
      [admin.post(`/switches/${switchId}/port-groups`, { name: 'x', vlanId: 1, policy: { shaping: { enabled: true, averageBandwidthKbps: 100, peakBandwidthKbps: 10, burstSizeKb: 1 } } }), /peakBandwidthKbps/],
      [admin.patch(`/switches/${switchId}/port-groups/${pgId}`, { name: 'renamed' }), /name/],
      [admin.post('/dcns', { name: 'x', hostId: '../etc' }), /hostId/],
      [admin.post('/dcns/00000000-0000-4000-8000-000000000000/migrate', { targetHostId: '' }), /targetHostId/],
    ];
    for (const [call, field] of cases) {
      const res = await call;
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(field);
    }
    expect((await admin.post('/dcns', { name: 'x', hostId: 'unknown-host' })).status).toBe(404);
  });
});
