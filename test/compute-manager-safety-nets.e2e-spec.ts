import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { HostApplyStatus, HostPortsDesired, HostReport, ManagementRepairReply, SwitchDesired } from '@vnet/contracts';
import { readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd as taskEndOn } from './harness/tasks.js';

/**
 * The compute manager's side of the safety nets (§6.4, §6.5), with hosts played by the test through
 * NATS as host agents speak, so that each outcome can be chosen: a host's `rolled_back` returns the
 * switch to its previous state on every host; a host back through a clone gets an override of its
 * original management port to the VLAN under which it was last connected.
 */
describe('compute manager: rollback and management repair', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let admin: ReturnType<typeof api>;
  let nc: NatsConnection;
  let switches: KV;
  let hostPorts: KV;
  /** Hosts that answer every switch revision applied, unless the test answers for them. */
  const scripted = new Set<string>();
  let switchId: string;
  let mgmtId: string;

  const status = (s: Omit<HostApplyStatus, 'sentAt'>) => nc.publish(`cm.status.${s.hostId}`, JSON.stringify({ ...s, sentAt: new Date().toISOString() }));
  const taskEnd = (id: string) => taskEndOn(admin, id, 15000);
  const desired = async () => (await switches.get(switchId))!.json<SwitchDesired>();

  beforeAll(async () => {
    await stack.start();
    cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '4000' });
    admin = api(cm.url);
    nc = await connect(await stack.natsOptions());
    const kvm = new Kvm(nc);
    switches = await kvm.create('vnet-switches', { history: 1 });
    hostPorts = await kvm.create('vnet-host-ports', { history: 1 });
    void (async () => {
      for await (const e of await switches.watch()) {
        if (!e.value.length) continue;
        const sw = e.json<SwitchDesired>();
        for (const h of sw.hostIds) if (!scripted.has(h)) status({ hostId: h, kind: 'switch', targetId: sw.id, revision: sw.revision, state: 'applied' });
      }
    })();
    for (const hostId of ['h1', 'h2', 'h3']) {
      const r: HostReport = { hostId, bootId: 'b', seq: 1, held: [], upserted: [], removed: [], sentAt: new Date().toISOString() };
      await jetstream(nc).publish(`hosts.${hostId}.report`, JSON.stringify(r), { msgID: `${hostId}:b:1` });
    }
    await eventually(async () => (await admin.get('/hosts')).body.length === 3, 15000, 'hosts discovered');
    const created = await admin.post('/switches', { name: 'dvs', hostIds: ['h1', 'h2', 'h3'], rollbackTimeoutMs: 3000 });
    switchId = created.body.id;
    expect((await taskEnd(created.body.taskId)).state).toBe('succeeded');
    const pg = await admin.post(`/switches/${switchId}/port-groups`, { name: 'mgmt', vlanId: 10, management: true });
    mgmtId = pg.body.portGroupId;
    expect((await taskEnd(pg.body.taskId)).state).toBe('succeeded');
  }, 60000);
  afterAll(async () => {
    await nc?.close();
    await stack.stop();
  }, 30000);

  it("one host's rolled_back makes the task rolled_back and returns the switch, on every host, to its previous state", async () => {
    scripted.add('h2');
    const before = (await admin.get(`/switches/${switchId}`)).body;
    expect(before.revision).toBe(2);
    const patched = await admin.patch(`/switches/${switchId}/port-groups/${mgmtId}`, { vlanId: 20 });
    expect(patched.status).toBe(202);
    expect(patched.body.revision).toBe(3);
    const reason = 'no management round trip came back within 3000 ms';
    status({ hostId: 'h2', kind: 'switch', targetId: switchId, revision: 3, state: 'rolled_back', restoredRevision: 2, detail: reason });

    const task = await taskEnd(patched.body.taskId);
    expect(task.state).toBe('rolled_back');
    expect(task.hosts.h2).toEqual({ state: 'rolled_back', detail: reason });
    expect(task.hosts.h1.state).toBe('succeeded');

    // The revert is a new revision, recorded with who and why, and pushed to every host.
    const reverted = await eventually(async () => {
      const sw = (await admin.get(`/switches/${switchId}`)).body;
      return sw.revision === 4 ? sw : null;
    }, 10000, 'the switch reverted');
    expect(reverted.portGroups).toEqual(before.portGroups);
    expect(reverted.hostIds).toEqual(before.hostIds);
    const restored = (await readLog(admin, `streamId=${switchId}&type=SwitchStateRestored`)).at(-1)!;
    expect(restored.metadata.actor).toBe('host:h2');
    expect(restored.data.cause).toEqual({ kind: 'rollback', revision: 3, hostId: 'h2', reason });
    const pushed = await eventually(async () => ((await desired()).revision === 4 ? desired() : null), 10000, 'revision 4 pushed');
    expect(pushed.portGroups.find((pg) => pg.id === mgmtId)?.vlanId).toBe(10);
    expect(pushed.hostIds).toEqual(['h1', 'h2', 'h3']);

    // A host that rolled back and is asked again (the revert) converges: it answers revision 4 applied.
    status({ hostId: 'h2', kind: 'switch', targetId: switchId, revision: 4, state: 'applied' });
    scripted.delete('h2');
  }, 30000);

  it('a second rollback of the same change, or one of a superseded revision, changes nothing', async () => {
    const position = (await readLog(admin)).at(-1)!.position;
    status({ hostId: 'h3', kind: 'switch', targetId: switchId, revision: 3, state: 'rolled_back', restoredRevision: 2, detail: 'late' });
    // A marker that the manager has read past the late status: a change of its own, answered.
    const marker = await admin.patch(`/switches/${switchId}/port-groups/${mgmtId}`, { vlanId: 11 });
    expect((await taskEnd(marker.body.taskId)).state).toBe('succeeded');
    const after = await readLog(admin, '', { after: position });
    expect(after.map((e) => e.type)).toEqual(['PortGroupReconfigured']);
    expect((await admin.get(`/switches/${switchId}`)).body.revision).toBe(5);
  }, 30000);

  it('refuses a status whose body names another host than its subject, and one that fails the schema', async () => {
    scripted.add('h1');
    const patched = await admin.patch(`/switches/${switchId}/port-groups/${mgmtId}`, { vlanId: 12 });
    const revision = patched.body.revision;
    nc.publish('cm.status.h3', JSON.stringify({ hostId: 'h1', kind: 'switch', targetId: switchId, revision, state: 'applied', sentAt: new Date().toISOString() }));
    nc.publish('cm.status.h1', JSON.stringify({ hostId: 'h1', kind: 'switch', targetId: switchId, revision, state: 'done', sentAt: new Date().toISOString() }));
    nc.publish('cm.status.h1', 'not json');
    const task = await taskEnd(patched.body.taskId);
    expect(task.state).toBe('failed');
    expect(task.hosts.h1.state).toBe('failed');
    expect(task.hosts.h1.detail).toMatch(/did not report/);
    scripted.delete('h1');
    expect(cm.logs()).toMatch(/host status refused/);
  }, 30000);

  describe('management repair through a clone', () => {
    const repair = async (body: object, hostId = 'h2') =>
      (await nc.request(`cm.repair.${hostId}`, JSON.stringify({ sentAt: new Date().toISOString(), ...body }), { timeout: 5000 })).json<ManagementRepairReply>();

    it("records an override of the original port to the VLAN of the host's last connected revision, and publishes it", async () => {
      // Revision 4 (the revert) had the management port group on VLAN 10; the switch is on VLAN 12 now.
      const answer = await repair({ hostId: 'h2', switchId, portId: 'mgmt-h2', clonePortId: 'mgmt-h2-clone', lastConnectedRevision: 4 });
      expect(answer.ok).toBe(true);
      const ports = (await hostPorts.get('h2'))!.json<HostPortsDesired>();
      expect(ports.revision).toBe(answer.portsRevision);
      expect(ports.overrides).toEqual([{ switchId, portId: 'mgmt-h2', vlanId: 10, fromRevision: 4 }]);
      const recorded = await readLog(admin, 'streamId=h2&type=HostPortOverridden');
      expect(recorded).toHaveLength(1);
      expect(recorded[0].metadata.actor).toBe('host:h2');
      expect(recorded[0].data).toMatchObject({ hostId: 'h2', switchId, portId: 'mgmt-h2', vlanId: 10, fromRevision: 4 });
      // The port group itself is unchanged on the other hosts.
      expect((await desired()).portGroups.find((pg) => pg.id === mgmtId)?.vlanId).toBe(12);
      expect((await hostPorts.get('h1'))?.json<HostPortsDesired>().overrides).toBeUndefined();
    }, 20000);

    it('a repair asked again records nothing new; it survives a rebuild of the read models', async () => {
      const again = await repair({ hostId: 'h2', switchId, portId: 'mgmt-h2', clonePortId: 'mgmt-h2-clone', lastConnectedRevision: 4 });
      expect(again.ok).toBe(true);
      expect(await readLog(admin, 'streamId=h2&type=HostPortOverridden')).toHaveLength(1);
      expect((await admin.post('/admin/rebuild')).status).toBe(200);
      const afterRebuild = await repair({ hostId: 'h2', switchId, portId: 'mgmt-h2', clonePortId: 'mgmt-h2-clone', lastConnectedRevision: 4 });
      expect(afterRebuild.ok).toBe(true);
      expect(await readLog(admin, 'streamId=h2&type=HostPortOverridden')).toHaveLength(1);
      // Host ports revisions only grow: a rebuild keeps them (replaying may move them further, the same ports re-applied as a no-op).
      expect(afterRebuild.portsRevision).toBeGreaterThanOrEqual(again.portsRevision!);
      const ports = (await hostPorts.get('h2'))!.json<HostPortsDesired>();
      expect(ports.revision).toBe(afterRebuild.portsRevision);
      expect(ports.overrides).toEqual([{ switchId, portId: 'mgmt-h2', vlanId: 10, fromRevision: 4 }]);
    }, 20000);

    it('refuses a request for another host, of a revision the switch never had, or that fails the schema, and records nothing', async () => {
      const position = (await readLog(admin)).at(-1)!.position;
      expect((await repair({ hostId: 'h1', switchId, portId: 'mgmt-h1', clonePortId: 'c', lastConnectedRevision: 4 }, 'h2')).ok).toBe(false);
      const never = await repair({ hostId: 'h2', switchId, portId: 'mgmt-h2', clonePortId: 'c', lastConnectedRevision: 99 });
      expect(never).toMatchObject({ ok: false });
      expect(never.detail).toMatch(/revision 99/);
      expect((await repair({ hostId: 'h2', switchId: 'nope', portId: 'mgmt-h2', clonePortId: 'c', lastConnectedRevision: 4 })).ok).toBe(false);
      expect((await readLog(admin, '', { after: position })).length).toBe(0);
    }, 20000);
  
    it('the override lapses when an operator changes the management port group again: the host follows it like the others', async () => {
      const before = (await hostPorts.get('h2'))!.json<HostPortsDesired>().revision;
      const patched = await admin.patch(`/switches/${switchId}/port-groups/${mgmtId}`, { vlanId: 13 });
      expect((await taskEnd(patched.body.taskId)).state).toBe('succeeded');
      const ports = await eventually(async () => {
        const p = (await hostPorts.get('h2'))!.json<HostPortsDesired>();
        return p.revision > before ? p : null;
      }, 10000, "h2's ports desired state without the override");
      expect(ports.overrides).toBeUndefined();
      const cleared = await readLog(admin, 'streamId=h2&type=HostPortOverridesCleared');
      expect(cleared).toHaveLength(1);
      expect(cleared[0].data).toMatchObject({ hostId: 'h2', switchId });
    }, 20000);

    it('a VLAN change of a port group that is not the management one leaves an override alone', async () => {
      expect((await repair({ hostId: 'h2', switchId, portId: 'mgmt-h2', clonePortId: 'c2', lastConnectedRevision: 4 })).ok).toBe(true);
      const web = await admin.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 100 });
      expect((await taskEnd(web.body.taskId)).state).toBe('succeeded');
      const patched = await admin.patch(`/switches/${switchId}/port-groups/${web.body.portGroupId}`, { vlanId: 101 });
      expect((await taskEnd(patched.body.taskId)).state).toBe('succeeded');
      expect((await hostPorts.get('h2'))!.json<HostPortsDesired>().overrides).toEqual([{ switchId, portId: 'mgmt-h2', vlanId: 10, fromRevision: 4 }]);
      expect(await readLog(admin, 'streamId=h2&type=HostPortOverridesCleared')).toHaveLength(1);
    }, 20000);
  });
});
