// Chapter 3: the safety nets. A change that cuts a host's management is rolled back; one pushed without
// the net is repaired from the host's console through a cloned port. Uplinks are put back each time.
import { answer, readLog } from '../lib/client.mjs';
import { switchOn, taskEnd } from './switching.mjs';

const managementPort = async (ctx, hostId) =>
  (await switchOn(ctx, hostId, ctx.ids.switchId))?.ports.find((p) => p.id === `mgmt-${hostId}`);
const view = async (ctx, hostId) => (await ctx.ha.get(`/hosts/${hostId}`)).json;

/** Sets each host's simulated physical switch port; `[]` lets every VLAN through. */
export async function setUplinks(ctx, allowed) {
  for (const [hostId, allowedVlans] of Object.entries(allowed)) {
    const res = await ctx.ha.put(`/hosts/${hostId}/uplink`, { allowedVlans });
    ctx.say.check(
      `${hostId}'s uplink carries ${allowedVlans.length ? `VLAN ${allowedVlans.join(', ')} only` : 'every VLAN'}`,
      res.status === 200,
      {
        expected: '200',
        seen: answer(res),
        figures: undefined,
      },
    );
  }
}

/** Every host runs `revision` with the management port group on `vlanId`, connected, nothing pending. */
async function everyHostOn(ctx, revision, vlanId) {
  for (const hostId of ctx.hosts) {
    await ctx.say.eventually(
      `${hostId} runs revision ${revision}, management on VLAN ${vlanId}, connected`,
      async () => {
        const v = await view(ctx, hostId);
        const sw = v?.computeSwitches.find((s) => s.id === ctx.ids.switchId);
        return {
          revision: sw?.revision,
          vlanId: sw?.ports.find((p) => p.id === `mgmt-${hostId}`)?.vlanId,
          connected: v?.managementConnected,
          pending: v?.pendingRollback,
        };
      },
      (s) => s.revision === revision && s.vlanId === vlanId && s.connected && s.pending === null,
      { expected: `revision ${revision}, VLAN ${vlanId}, connected, pendingRollback null`, timeoutMs: 20000 },
    );
  }
}

export async function rollback(ctx) {
  const { say, cm, hosts, ids } = ctx;
  const [h1, h2, h3] = hosts;
  ctx.begin('rollback', 'A change that cuts management is rolled back', {
    does: `lets ${h2}'s uplink carry VLAN 10 only, then moves the management port group to VLAN 20`,
    checks: `${h2} saves its config, gets no management round trip through VLAN 20 and restores it within the rollback timeout + 1 s; the task is rolled_back and the switch returns to VLAN 10 on every host`,
  });
  await setUplinks(ctx, { [h1]: [10, 20], [h2]: [10], [h3]: [10, 20] });
  const before = (await cm.get(`/switches/${ids.switchId}`)).json.revision;
  const t0 = Date.now();
  const patched = await cm.patch(`/switches/${ids.switchId}/port-groups/${ids.portGroups.mgmt}`, { vlanId: 20 });
  say.check('the change is accepted', patched.status === 202, {
    expected: '202',
    seen: answer(patched),
    figures: `revision ${patched.json?.revision}`,
  });
  const pending = await say.eventually(
    `${h2} holds its saved config, awaiting proof`,
    async () => (await view(ctx, h2))?.pendingRollback,
    (p) => p?.savedRevision === before,
    {
      expected: `pendingRollback with savedRevision ${before}`,
      figures: (p) => `saved revision ${p.savedRevision}, deadline in ${Math.max(0, Date.parse(p.deadline) - Date.now())} ms`,
      timeoutMs: 5000,
    },
  );
  void pending;
  await say.eventually(
    `${h2} restores its management port to VLAN 10 by itself`,
    async () => (await managementPort(ctx, h2))?.vlanId,
    (v) => v === 10,
    {
      // The contract's 1 s, and what a loaded machine may add to being seen back.
      timeoutMs: ctx.rollbackTimeoutMs + 1000 + 3000,
      expected: 'VLAN 10 again',
      figures: () => `${Date.now() - t0} ms after the change, rollback timeout ${ctx.rollbackTimeoutMs} ms`,
    },
  );
  const task = await taskEnd(ctx, patched.json.taskId, 'the task records the rollback', { expected: 'rolled_back' });
  say.check(`the task names ${h2} rolled_back, and why`, task.hosts[h2]?.state === 'rolled_back', {
    expected: `${h2} rolled_back`,
    seen: task.hosts[h2],
    figures: task.hosts[h2]?.detail,
  });
  await everyHostOn(ctx, before + 2, 10);
  const restored = (await readLog(cm, `streamId=${ids.switchId}&type=SwitchStateRestored`)).at(-1);
  say.check(
    `the revert is recorded as ${h2}'s act, with the reason`,
    restored?.metadata.actor === `host:${h2}` && restored.data.cause?.kind === 'rollback',
    {
      expected: `SwitchStateRestored by host:${h2}, cause rollback`,
      seen: restored,
      figures: `${restored?.type} by ${restored?.metadata.actor}, cause ${restored?.data.cause?.kind} of revision ${restored?.data.cause?.revision}`,
    },
  );
  await setUplinks(ctx, { [h1]: [], [h2]: [], [h3]: [] });
}

export async function repairThroughClone(ctx) {
  const { say, cm, ha, hosts, ids } = ctx;
  const [h1, h2, h3] = hosts;
  ctx.begin('repair', 'A host repaired through a cloned port', {
    does: `lets ${h2}'s uplink carry VLAN 10 only and pushes management to VLAN 30 without the net (?rollback=false), cutting ${h2} off; then, from ${h2}'s console, clones its management port onto VLAN 10`,
    checks: `through the clone the compute manager rewrites ${h2}'s original port to the VLAN of its last connected revision; management moves back to it and the clone is removed`,
  });
  await setUplinks(ctx, { [h2]: [10] });
  const lastGood = (await cm.get(`/switches/${ids.switchId}`)).json.revision;
  const patched = await cm.patch(`/switches/${ids.switchId}/port-groups/${ids.portGroups.mgmt}?rollback=false`, { vlanId: 30 });
  say.check('the change is accepted without the safety net', patched.status === 202, {
    expected: '202',
    seen: answer(patched),
    figures: `revision ${patched.json?.revision}`,
  });
  await say.eventually(
    `${h2} runs it and is cut off`,
    async () => {
      const v = await view(ctx, h2);
      return { vlanId: (await managementPort(ctx, h2))?.vlanId, connected: v?.managementConnected, pending: v?.pendingRollback };
    },
    (s) => s.vlanId === 30 && s.connected === false && s.pending === null,
    { expected: 'VLAN 30, managementConnected false, nothing to roll back', timeoutMs: 20000 },
  );
  await say.eventually(
    `the compute manager sees ${h2} disconnected`,
    async () => (await cm.get(`/hosts/${h2}`)).json?.connectionState,
    (s) => s === 'disconnected',
    {
      expected: 'connectionState "disconnected"',
    },
  );

  const restore = await ha.post(`/hosts/${h2}/management/restore`, { vlanId: 10 });
  say.check(
    `${h2}'s console clones the management port onto VLAN 10`,
    restore.status === 202 && typeof restore.json?.clonePortId === 'string',
    {
      expected: '202 {clonePortId}',
      seen: answer(restore),
      figures: `clone ${restore.json?.clonePortId}`,
    },
  );
  const overridden = await say.eventually(
    `reached through the clone, the compute manager records an override of mgmt-${h2} to VLAN 10`,
    async () => (await readLog(cm, `streamId=${h2}&type=HostPortOverridden`)).at(-1),
    (e) => e?.data.vlanId === 10 && e.data.portId === `mgmt-${h2}`,
    {
      expected: `HostPortOverridden {portId: mgmt-${h2}, vlanId: 10, fromRevision: ${lastGood}} by host:${h2}`,
      figures: (e) => `by ${e.metadata.actor}, from revision ${e.data.fromRevision}`,
    },
  );
  say.equal('the override is of the last revision under which it was connected', overridden.data.fromRevision, lastGood);
  await say.eventually(
    `${h2} is back on its original port, the clone gone, connected`,
    async () => {
      const v = await view(ctx, h2);
      const sw = v?.computeSwitches.find((s) => s.id === ids.switchId);
      return {
        vlanId: sw?.ports.find((p) => p.id === `mgmt-${h2}`)?.vlanId,
        clones: sw?.ports.filter((p) => p.clonedFrom).length,
        connected: v?.managementConnected,
      };
    },
    (s) => s.vlanId === 10 && s.clones === 0 && s.connected,
    { expected: 'VLAN 10 on the original port, no clone, connected', timeoutMs: 30000 },
  );
  say.equal(
    `${h1} and ${h3} keep the port group's VLAN 30`,
    [(await managementPort(ctx, h1))?.vlanId, (await managementPort(ctx, h3))?.vlanId],
    [30, 30],
  );

  // The operator puts the port group back where every uplink carries it: the override lapses.
  await setUplinks(ctx, { [h2]: [] });
  const back = await cm.patch(`/switches/${ids.switchId}/port-groups/${ids.portGroups.mgmt}`, { vlanId: 10 });
  say.check('the operator moves management back to VLAN 10', back.status === 202, {
    expected: '202',
    seen: answer(back),
    figures: `revision ${back.json?.revision}`,
  });
  await taskEnd(ctx, back.json.taskId, 'every host applies it');
  await everyHostOn(ctx, back.json.revision, 10);
  await say.eventually(
    `${h2}'s override lapsed with that change`,
    () => readLog(cm, `streamId=${h2}&type=HostPortOverridesCleared`),
    (cleared) => cleared.length === 1,
    {
      expected: 'one HostPortOverridesCleared',
      timeoutMs: 10000,
      figures: (cleared) => `${cleared[0].type} by ${cleared[0].metadata.actor}`,
    },
  );
}
