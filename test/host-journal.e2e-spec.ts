import { readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

interface JournalEntry {
  position: number;
  type: string;
  data: any;
  recordedAt: string;
}

const ROLLBACK_TIMEOUT_MS = 3000;

/**
 * A host's own journal (CONTRACT §4 `GET /hosts/:hostId/events`) on real managers and a real host
 * agent: what each host applied, in order, with the revisions the managers recorded, paged like
 * `/events`, and the same after the agent restarts.
 */
describe("a host's own journal", () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let net: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  let switchId: string;
  let web: string;
  let mgmt: string;
  const agentEnv = { HOSTS: '2' };

  /** The whole journal of a host, followed page by page with `next`. */
  const journal = async (hostId: string, pageSize = 1000): Promise<JournalEntry[]> => {
    const entries: JournalEntry[] = [];
    for (let after = 0; ; ) {
      const res = await hosts.get(`/hosts/${hostId}/events?after=${after}&limit=${pageSize}`);
      expect(res.status).toBe(200);
      entries.push(...res.body.events);
      if (res.body.next === null) return entries;
      after = res.body.next;
    }
  };
  const ofSwitch = (entries: JournalEntry[], type: string) => entries.filter((e) => e.type === type && e.data.switchId === switchId);
  const task = async (id: string) => (await taskEnd(compute, id, 25000)).state;
  /** The revisions the compute manager's log recorded for the switch, oldest first. */
  const loggedRevisions = async () => (await readLog(compute, `streamId=${switchId}`)).map((e) => e.data.revision as number);

  beforeAll(async () => {
    await stack.start();
    [nm, cm, ha] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager', { TASK_TIMEOUT_MS: '30000' }),
      stack.startService('host-agent', agentEnv),
    ]);
    net = api(nm.url);
    compute = api(cm.url);
    hosts = api(ha.url);
    await eventually(async () => (await compute.get('/hosts')).body.length === 2, 15000, 'hosts known to the compute manager');
  }, 90000);
  afterAll(() => stack.stop(), 30000);

  it('lists each switch revision a host applied, with the revisions the compute manager recorded, and each proof', async () => {
    const created = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'], rollbackTimeoutMs: ROLLBACK_TIMEOUT_MS });
    switchId = created.body.id;
    expect(await task(created.body.taskId)).toBe('succeeded');
    const added = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 100 });
    web = added.body.portGroupId;
    expect(await task(added.body.taskId)).toBe('succeeded');
    const management = await compute.post(`/switches/${switchId}/port-groups`, { name: 'mgmt', vlanId: 10, management: true });
    mgmt = management.body.portGroupId;
    expect(await task(management.body.taskId)).toBe('succeeded');
    const patched = await compute.patch(`/switches/${switchId}/port-groups/${web}`, { vlanId: 101 });
    expect(patched.status).toBe(202);
    expect(await task(patched.body.taskId)).toBe('succeeded');

    const logged = await loggedRevisions();
    expect(logged).toEqual([1, 2, 3, 4]);
    for (const hostId of ['host-1', 'host-2']) {
      const entries = await eventually(async () => {
        const all = await journal(hostId);
        return ofSwitch(all, 'ChangeProven').some((e) => e.data.revision === 4) ? all : null;
      }, 10000, `${hostId} proved revision 4`);
      const applied = ofSwitch(entries, 'SwitchRevisionApplied');
      expect(applied.map((e) => e.data.revision)).toEqual(logged);
      expect(applied.map((e) => e.data.fromRevision)).toEqual([0, 1, 2, 3]);
      // The management port joined at revision 3 and the VLAN of `web` (no port on it yet) changed at 4.
      expect(applied[2].data.portsChanged).toBe(1);
      expect(applied[3].data.portsChanged).toBe(0);
      const positions = entries.map((e) => e.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(positions.length);
      for (const e of entries) expect(Number.isNaN(Date.parse(e.recordedAt))).toBe(false);
    }
  }, 90000);

  it('lists the DCN port a NIC attach brought, as added by the ports revision the host took', async () => {
    const dcn = await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' });
    expect(dcn.status).toBe(201);
    const nic = await compute.post(`/dcns/${dcn.body.id}/nics`, { portGroupId: web });
    expect(nic.status).toBe(201);
    expect(await task(nic.body.taskId)).toBe('succeeded');
    const attached = (await readLog(compute, `streamId=${dcn.body.id}&type=NicAttached`))[0];
    expect(attached.data.nic.portId).toBe(nic.body.portId);
    const entries = await journal('host-1');
    const ports = entries.filter((e) => e.type === 'PortsApplied');
    expect(ports.at(-1)!.data).toMatchObject({ added: [nic.body.portId], removed: [], changed: [] });
    expect(ports.at(-1)!.data.revision).toBeGreaterThanOrEqual(1);
    expect((await journal('host-2')).some((e) => e.type === 'PortsApplied' && e.data.added.includes(nic.body.portId))).toBe(false);
  }, 60000);

  it('lists each revision of a logical network the network manager sent the host', async () => {
    const zone = (await net.post('/transport-zones', { name: 'z1' })).body.id;
    expect((await net.post('/transport-nodes', { hostId: 'host-1', transportZoneIds: [zone] })).status).toBe(201);
    const network = await net.post('/logical-networks', { name: 'blue', transportZoneId: zone });
    expect(network.status).toBe(201);
    const networkId = network.body.id;
    await eventually(async () => (await hosts.get(`/hosts/host-1/logical-networks/${networkId}`)).status === 200, 10000, 'the construct on host-1');
    expect((await net.patch(`/logical-networks/${networkId}`, { mtu: 9000 })).body.revision).toBe(2);
    const logged = (await readLog(net, `streamId=${networkId}`)).map((e) => e.data.revision);
    expect(logged).toEqual([1, 2]);
    const constructs = await eventually(async () => {
      const found = (await journal('host-1')).filter((e) => e.type === 'ConstructApplied' && e.data.networkId === networkId);
      return found.length === 2 ? found : null;
    }, 10000, 'both revisions journaled on host-1');
    expect(constructs.map((e) => e.data)).toEqual(logged.map((revision) => ({ networkId, revision, transportZoneId: zone })));
    expect((await journal('host-2')).some((e) => e.type === 'ConstructApplied')).toBe(false);
  }, 60000);

  it('lists a change not proven in time as applied, rolled back to the saved revision, then the restored revision', async () => {
    for (const [hostId, allowedVlans] of [['host-1', [10, 20]], ['host-2', [10]]] as const) {
      expect((await hosts.put(`/hosts/${hostId}/uplink`, { allowedVlans })).status).toBe(200);
    }
    const before = (await compute.get(`/switches/${switchId}`)).body.revision;
    const patched = await compute.patch(`/switches/${switchId}/port-groups/${mgmt}`, { vlanId: 20 });
    expect(patched.status).toBe(202);
    expect(await task(patched.body.taskId)).toBe('rolled_back');
    const restored = await eventually(
      async () => (await readLog(compute, `streamId=${switchId}&type=SwitchStateRestored`)).at(-1),
      10000,
      'the compute manager restored the switch',
    );
    expect(restored.data.revision).toBe(before + 2);
    const entries = await eventually(async () => {
      const all = await journal('host-2');
      return ofSwitch(all, 'ChangeProven').some((e) => e.data.revision === before + 2) ? all : null;
    }, 15000, 'host-2 applied and proved the restored revision');
    const uplinkAt = entries.findIndex((e) => e.type === 'UplinkSet' && e.data.allowedVlans.join() === '10');
    expect(uplinkAt).toBeGreaterThanOrEqual(0);
    const story = entries.slice(uplinkAt).filter((e) => e.type !== 'ChangeProven' && e.type !== 'PortsApplied');
    expect(story.map((e) => [e.type, e.data.revision ?? null])).toEqual([
      ['UplinkSet', null],
      ['SwitchRevisionApplied', before + 1],
      ['ChangeRolledBack', before + 1],
      ['SwitchRevisionApplied', before + 2],
    ]);
    expect(story[2].data).toMatchObject({ switchId, restoredRevision: before, reason: expect.stringMatching(/no management round trip/) });
    expect(story[3].data.fromRevision).toBe(before);
    // host-1 carried VLAN 20: it ran the change, never rolled it back, and took the restored revision.
    const host1 = ofSwitch(await journal('host-1'), 'SwitchRevisionApplied').map((e) => e.data.revision);
    expect(host1.slice(-2)).toEqual([before + 1, before + 2]);
    expect(ofSwitch(await journal('host-1'), 'ChangeRolledBack')).toEqual([]);
  }, 60000);

  it("lists the console's repair: the clone, the override the compute manager recorded, and the original port proven", async () => {
    expect((await hosts.put('/hosts/host-1/uplink', { allowedVlans: [10, 20, 30] })).status).toBe(200);
    const patched = await compute.patch(`/switches/${switchId}/port-groups/${mgmt}?rollback=false`, { vlanId: 30 });
    expect(patched.status).toBe(202);
    await eventually(async () => !(await hosts.get('/hosts/host-2')).body.managementConnected, 8000, 'host-2 cut off on VLAN 30');
    const restored = await hosts.post('/hosts/host-2/management/restore', { vlanId: 10 });
    expect(restored.status).toBe(202);
    const entries = await eventually(async () => {
      const all = await journal('host-2');
      return all.some((e) => e.type === 'ManagementRepaired') ? all : null;
    }, 20000, 'host-2 repaired');
    const overridden = (await readLog(compute, 'streamId=host-2&type=HostPortOverridden')).at(-1)!;
    const repair = entries.filter((e) => e.type.startsWith('Management') || e.type === 'OverrideApplied');
    expect(repair[0]).toMatchObject({ type: 'ManagementCloned', data: { switchId, portId: 'mgmt-host-2', clonePortId: restored.body.clonePortId, vlanId: 10 } });
    expect(repair.at(-1)).toMatchObject({ type: 'ManagementRepaired', data: { switchId, portId: 'mgmt-host-2', clonePortId: restored.body.clonePortId } });
    const applied = repair.find((e) => e.type === 'OverrideApplied')!;
    expect(applied.data).toMatchObject({ switchId, portId: 'mgmt-host-2', vlanId: overridden.data.vlanId });
    // The override came with a ports revision the host took, journaled before it.
    const carried = entries.find((e) => e.type === 'PortsApplied' && e.data.revision === applied.data.portsRevision)!;
    expect(carried.position).toBeLessThan(applied.position);
    expect(repair.some((e) => e.type === 'ManagementRepairFailed')).toBe(false);
  }, 60000);

  it('pages with `next` exactly as one read, and names a bad `after` or `limit`', async () => {
    const whole = await journal('host-1');
    expect(whole.length).toBeGreaterThan(5);
    expect(await journal('host-1', 2)).toEqual(whole);
    const first = await hosts.get('/hosts/host-1/events?limit=3');
    expect(first.body.events).toEqual(whole.slice(0, 3));
    expect(first.body.next).toBe(whole[2].position);
    const tail = await hosts.get(`/hosts/host-1/events?after=${whole.at(-2)!.position}`);
    expect(tail.body).toEqual({ events: [whole.at(-1)], next: null });
    expect((await hosts.get(`/hosts/host-1/events?after=${whole.at(-1)!.position}`)).body).toEqual({ events: [], next: null });
    for (const [query, field] of [['limit=0', 'limit'], ['limit=1001', 'limit'], ['limit=x', 'limit'], ['after=-1', 'after'], ['after=1.5', 'after']]) {
      const res = await hosts.get(`/hosts/host-1/events?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field);
    }
    expect((await hosts.get('/hosts/nope/events')).status).toBe(404);
  }, 30000);

  it('is served the same by a restarted host agent, and goes on numbering from where it was', async () => {
    await eventually(async () => {
      const views = await Promise.all(['host-1', 'host-2'].map(async (h) => (await hosts.get(`/hosts/${h}`)).body));
      return views.every((v) => v.pendingRollback === null && v.managementConnected);
    }, 15000, 'nothing awaiting proof');
    const before = { 'host-1': await journal('host-1'), 'host-2': await journal('host-2') };
    await ha.stop();
    ha = await stack.startService('host-agent', agentEnv);
    hosts = api(ha.url);
    for (const hostId of ['host-1', 'host-2'] as const) expect(await journal(hostId)).toEqual(before[hostId]);

    const patched = await compute.patch(`/switches/${switchId}/port-groups/${web}`, { vlanId: 102 });
    expect(await task(patched.body.taskId)).toBe('succeeded');
    const revision = (await compute.get(`/switches/${switchId}`)).body.revision;
    const after = await journal('host-1');
    expect(after.slice(0, before['host-1'].length)).toEqual(before['host-1']);
    const next = ofSwitch(after, 'SwitchRevisionApplied').at(-1)!;
    expect(next.data.revision).toBe(revision);
    expect(next.position).toBeGreaterThan(before['host-1'].at(-1)!.position);
  }, 90000);
});
