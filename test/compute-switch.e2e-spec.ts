import { jest } from '@jest/globals';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Longer than Jest's 5 s default, since a test waits for tasks (15 s each) and hosts converging, several in a row (on a loaded machine too).
jest.setTimeout(60000);

interface HostView {
  managementConnected: boolean;
  computeSwitches: Array<{
    id: string;
    revision: number;
    portGroups: Array<{ id: string; vlanId: number; management: boolean }>;
    ports: Array<{ id: string; portGroupId: string; vlanId: number; connectee: { type: string; dcnId?: string }; appliedAtRevision: number }>;
  }>;
}

/** Distributed switches pushed as final state to real host agents (CONTRACT §5, §6.2–6.3). */
describe('compute switch: final state pushed to every host, each applying its own difference', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let ha: RunningService;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  const members = ['host-1', 'host-2', 'host-3', 'host-4'];
  let switchId: string;
  let web: string;
  let db: string;

  const hostView = async (hostId: string) => (await hosts.get<HostView>(`/hosts/${hostId}`)).body;
  const switchOn = async (hostId: string) => (await hostView(hostId)).computeSwitches.find((s) => s.id === switchId);
  const task = (id: string) => taskEnd(compute, id, 15000);

  beforeAll(async () => {
    await stack.start();
    [cm, ha] = await Promise.all([
      stack.startService('compute-manager', { TASK_TIMEOUT_MS: '6000', MIGRATION_TIMEOUT_MS: '5000' }),
      stack.startService('host-agent', { HOSTS: '4' }),
    ]);
    compute = api(cm.url);
    hosts = api(ha.url);
    await eventually(async () => (await compute.get('/hosts')).body.length === 4, 15000, 'hosts known to the compute manager');
    const created = await compute.post('/switches', { name: 'dvs', hostIds: members });
    switchId = created.body.id;
    expect((await task(created.body.taskId)).state).toBe('succeeded');
    const a = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 });
    const b = await compute.post(`/switches/${switchId}/port-groups`, { name: 'db', vlanId: 20 });
    web = a.body.portGroupId;
    db = b.body.portGroupId;
    expect((await task(b.body.taskId)).state).toBe('succeeded');
  }, 90000);
  afterAll(() => stack.stop(), 30000);

  it('a port-group change on a 4-host switch: every host converges and the task lists each host succeeded', async () => {
    const patched = await compute.patch(`/switches/${switchId}/port-groups/${web}`, { vlanId: 11 });
    expect(patched.status).toBe(202);
    const t = await task(patched.body.taskId);
    expect(t.state).toBe('succeeded');
    expect(Object.keys(t.hosts).sort()).toEqual(members);
    for (const h of members) expect(t.hosts[h].state).toBe('succeeded');
    const revision = (await compute.get(`/switches/${switchId}`)).body.revision;
    for (const h of members) {
      const sw = await switchOn(h);
      expect(sw?.revision).toBe(revision);
      expect(sw?.portGroups.find((pg) => pg.id === web)?.vlanId).toBe(11);
    }
  }, 30000);

  it('realizes a DCN port on the compute switch; a change to another port group leaves it untouched', async () => {
    const dcn = (await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' })).body;
    const nic = await compute.post(`/dcns/${dcn.id}/nics`, { portGroupId: db });
    expect(nic.status).toBe(201);
    expect((await task(nic.body.taskId)).state).toBe('succeeded');
    const port = (await switchOn('host-1'))!.ports.find((p) => p.id === nic.body.portId)!;
    expect(port).toMatchObject({ portGroupId: db, vlanId: 20, connectee: { type: 'dcn', dcnId: dcn.id } });

    const patched = await compute.patch(`/switches/${switchId}/port-groups/${web}`, { vlanId: 12 });
    expect((await task(patched.body.taskId)).state).toBe('succeeded');
    const after = (await switchOn('host-1'))!;
    expect(after.revision).toBeGreaterThan(port.appliedAtRevision);
    expect(after.ports.find((p) => p.id === nic.body.portId)).toEqual(port);

    // A change of its own port group reconfigures it: its new VLAN, at that revision.
    const own = await compute.patch(`/switches/${switchId}/port-groups/${db}`, { vlanId: 22 });
    expect((await task(own.body.taskId)).state).toBe('succeeded');
    const changed = (await switchOn('host-1'))!;
    expect(changed.ports.find((p) => p.id === nic.body.portId)).toEqual({ ...port, vlanId: 22, appliedAtRevision: changed.revision });
  }, 30000);

  it('migration moves the ports from the source to the target host', async () => {
    const dcn = (await compute.get('/dcns')).body.find((d: { name: string }) => d.name === 'vm-1');
    const portId = dcn.nics[0].portId;
    expect((await switchOn('host-1'))!.ports.map((p) => p.id)).toContain(portId);
    const moved = await compute.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'host-2' });
    // Read both hosts at once, at the moment of the 200: the target already runs the port, the source no longer.
    const [target, source] = await Promise.all([switchOn('host-2'), switchOn('host-1')]);
    expect(moved.status).toBe(200);
    expect(moved.body.hostId).toBe('host-2');
    expect(target!.ports.find((p) => p.id === portId)).toMatchObject({ connectee: { type: 'dcn', dcnId: dcn.id } });
    expect(source!.ports.map((p) => p.id)).not.toContain(portId);
  }, 30000);

  it('a host whose link is cut during a push leaves the task failed naming it, and converges by itself after', async () => {
    await hosts.put('/hosts/host-3/uplink', { allowedVlans: [999] });
    const patched = await compute.patch(`/switches/${switchId}/port-groups/${db}`, { vlanId: 21 });
    const t = await task(patched.body.taskId);
    expect(t.state).toBe('failed');
    expect(t.hosts['host-3'].state).toBe('failed');
    expect(t.hosts['host-1'].state).toBe('succeeded');
    const revision = (await compute.get(`/switches/${switchId}`)).body.revision;
    expect((await switchOn('host-3'))!.revision).toBeLessThan(revision);
    await hosts.put('/hosts/host-3/uplink', { allowedVlans: [] });
    await eventually(async () => (await switchOn('host-3'))?.revision === revision, 10000, 'host-3 converged');
  }, 30000);

  it('the management port sits on the management port group, and its VLAN is what the uplink must carry', async () => {
    // Every host is back in touch (host-3's link was cut by the test before).
    await eventually(async () => {
      const views = await Promise.all(members.map(hostView));
      return views.every((v) => v.managementConnected);
    }, 10000, 'every host connected');
    const mgmt = await compute.post(`/switches/${switchId}/port-groups`, { name: 'mgmt', vlanId: 100, management: true });
    expect(await task(mgmt.body.taskId)).toMatchObject({ state: 'succeeded' });
    const sw = (await switchOn('host-4'))!;
    expect(sw.ports.find((p) => p.connectee.type === 'management')).toMatchObject({ portGroupId: mgmt.body.portGroupId, vlanId: 100 });
    // The uplink carries VLAN 100 only: management traffic still flows, it is on VLAN 100 now.
    await hosts.put('/hosts/host-4/uplink', { allowedVlans: [100] });
    await new Promise((r) => setTimeout(r, 1500));
    await eventually(async () => (await hostView('host-4')).managementConnected, 8000, 'host-4 connected on VLAN 100');

    // Moved to a VLAN its uplink does not carry, host-4 is cut off (rollback is not part of this change).
    const bad = await compute.patch(`/switches/${switchId}/port-groups/${mgmt.body.portGroupId}`, { vlanId: 300 });
    const t = await task(bad.body.taskId);
    expect(t.hosts['host-4'].state).toBe('failed');
    expect(t.hosts['host-1'].state).toBe('succeeded');
    await eventually(async () => !(await hostView('host-4')).managementConnected, 8000, 'host-4 cut off');
  }, 40000);

  it('a restarted agent serves the same switches and ports from its store', async () => {
    const before = await hostView('host-2');
    expect(before.computeSwitches.find((sw) => sw.id === switchId)!.ports.some((p) => p.connectee.type === 'dcn')).toBe(true);
    await ha.stop();
    ha = await stack.startService('host-agent', { HOSTS: '4' });
    hosts = api(ha.url);
    const after = await hostView('host-2');
    expect(after.computeSwitches).toEqual(before.computeSwitches);
  }, 40000);
});
