// Chapter 2: a distributed switch, DCNs attached, a migration refused by id and one accepted, a push to all hosts.
import { answer } from '../lib/client.mjs';

/** Waits for the task to end (any state but `running`) and checks that it ended `expected`. */
export async function taskEnd(ctx, taskId, what, { expected = 'succeeded', timeoutMs = 30000 } = {}) {
  const { value: task, took } = await ctx.say.poll(
    async () => (await ctx.cm.get(`/tasks/${taskId}`)).json,
    (t) => t?.state && t.state !== 'running',
    timeoutMs,
  );
  ctx.say.check(what, task?.state === expected, {
    expected: `task ${taskId} ${expected} within ${timeoutMs / 1000} s`,
    seen: task,
    figures: `task ${task?.state}: ${hostStates(task ?? {})}; ${took}`,
  });
  return task;
}

const hostStates = (t) =>
  Object.entries(t.hosts ?? {})
    .map(([h, s]) => `${h} ${s.state}`)
    .join(', ');

/** The compute switch `switchId` as host `hostId` runs it (undefined when it does not). */
export async function switchOn(ctx, hostId, switchId) {
  return (await ctx.ha.get(`/hosts/${hostId}`)).json?.computeSwitches?.find((s) => s.id === switchId);
}

export async function switchAndPortGroups(ctx) {
  const { say, cm, hosts, ids, run } = ctx;
  ctx.begin('switch', 'A distributed switch across the three hosts', {
    does: `creates switch demo-${run}-dvs on ${hosts.join(', ')} (rollback timeout ${ctx.rollbackTimeoutMs} ms), a management port group on VLAN 10 and "app" on VLAN 100`,
    checks:
      'each change is a task that every host reports applied; each host runs the switch with its management port on the management port group',
  });
  const created = await cm.post('/switches', {
    name: `demo-${run}-dvs`,
    hostIds: hosts,
    rollbackTimeoutMs: ctx.rollbackTimeoutMs,
  });
  say.check('switch created', created.status === 201, {
    expected: '201',
    seen: answer(created),
    figures: `id ${created.json?.id}`,
  });
  ids.switchId = created.json.id;
  await taskEnd(ctx, created.json.taskId, 'every host joins the switch');
  for (const [key, body] of [
    ['mgmt', { name: 'mgmt', vlanId: 10, management: true }],
    ['app', { name: 'app', vlanId: 100 }],
  ]) {
    const res = await cm.post(`/switches/${ids.switchId}/port-groups`, body);
    say.check(`port group "${body.name}" on VLAN ${body.vlanId} accepted`, res.status === 202, {
      expected: '202',
      seen: answer(res),
    });
    ids.portGroups[key] = res.json.portGroupId;
    await taskEnd(ctx, res.json.taskId, `"${body.name}" pushed to every host`);
  }
  for (const hostId of hosts) {
    await say.eventually(
      `${hostId}'s management port is on VLAN 10, connected`,
      async () => {
        const view = (await ctx.ha.get(`/hosts/${hostId}`)).json;
        const port = view?.computeSwitches
          ?.find((s) => s.id === ids.switchId)
          ?.ports.find((p) => p.connectee?.type === 'management');
        return { vlanId: port?.vlanId, portGroup: port?.portGroupId, connected: view?.managementConnected };
      },
      (p) => p.vlanId === 10 && p.portGroup === ids.portGroups.mgmt && p.connected,
      { expected: 'the management port on the mgmt port group, VLAN 10', figures: (p) => `VLAN ${p.vlanId}` },
    );
  }
}

export async function dcnsAttached(ctx) {
  const { say, cm, ha, hosts, ids, run } = ctx;
  const [h1] = hosts;
  const { webA, webB, db } = ids.networks;
  ctx.begin('dcns', 'A DCN attached to networks and a port group', {
    does: `creates DCN demo-${run}-vm on ${h1} with NICs on "web" (zone a), "db" and port group "app"`,
    checks: `each NIC becomes a port that ${h1} realizes; a NIC on "web" of zone b, which ${h1} does not hold, is refused by id (409 NETWORK_NOT_ON_HOST)`,
  });
  const dcn = await cm.post('/dcns', { name: `demo-${run}-vm`, hostId: h1 });
  say.check(`DCN created on ${h1}`, dcn.status === 201 && dcn.json.hostId === h1, {
    expected: '201',
    seen: answer(dcn),
    figures: `id ${dcn.json?.id}`,
  });
  ids.dcnId = dcn.json.id;
  const refused = await cm.post(`/dcns/${ids.dcnId}/nics`, { logicalNetworkId: webB.id });
  say.equal(`a NIC on "web" of zone b is refused: ${h1} holds another "web"`, answer(refused), '409 NETWORK_NOT_ON_HOST');
  ids.ports = {};
  for (const [key, body] of [
    ['web', { logicalNetworkId: webA.id }],
    ['db', { logicalNetworkId: db.id }],
    ['app', { portGroupId: ids.portGroups.app }],
  ]) {
    const nic = await cm.post(`/dcns/${ids.dcnId}/nics`, body);
    say.check(`NIC on "${key}" attached`, nic.status === 201, {
      expected: '201',
      seen: answer(nic),
      figures: `port ${nic.json?.portId}`,
    });
    ids.ports[key] = nic.json.portId;
    await taskEnd(ctx, nic.json.taskId, `${h1} realizes the "${key}" port`);
  }
  const view = (await ha.get(`/hosts/${h1}`)).json;
  const logical = view.networkSwitch.ports
    .filter((p) => p.connectee?.dcnId === ids.dcnId)
    .map((p) => p.logicalNetworkId)
    .sort();
  say.equal(
    `${h1}'s network switch has the DCN's logical ports on web and db`,
    logical,
    [webA.id, db.id].sort(),
    `${logical.length} ports`,
  );
  const onSwitch = view.computeSwitches.find((s) => s.id === ids.switchId)?.ports.find((p) => p.id === ids.ports.app);
  say.check(
    `${h1}'s compute switch has the DCN's port on "app"`,
    onSwitch?.portGroupId === ids.portGroups.app && onSwitch.vlanId === 100,
    {
      expected: 'port on "app", VLAN 100',
      seen: onSwitch,
      figures: `VLAN ${onSwitch?.vlanId}`,
    },
  );
}

export async function migrations(ctx) {
  const { say, cm, hosts, ids } = ctx;
  const [h1, h2, h3] = hosts;
  ctx.begin('migrate-refused', 'A migration refused by id', {
    does: `asks to migrate the DCN to ${h3}, which holds a network named "web" too, of zone b`,
    checks:
      'the compute manager compares networks by id, not by name: 409 NETWORK_NOT_ON_TARGET naming the missing ids, and nothing moves',
  });
  const refused = await cm.post(`/dcns/${ids.dcnId}/migrate`, { targetHostId: h3 });
  say.equal(`migration to ${h3} is refused`, answer(refused), '409 NETWORK_NOT_ON_TARGET');
  const missing = (refused.json?.missing ?? []).slice().sort();
  say.equal(
    'it names web (zone a) and db as missing there, by id',
    missing,
    [ids.networks.webA.id, ids.networks.db.id].sort(),
    `${missing.length} ids`,
  );
  say.equal(`the DCN is still on ${h1}`, (await cm.get(`/dcns/${ids.dcnId}`)).json?.hostId, h1);

  ctx.begin('migrate', 'A migration accepted', {
    does: `migrates the DCN to ${h2}, a host of zone a and of the switch`,
    checks: `200 once ${h2} runs the DCN's ports and ${h1} has removed its own (target first, then source)`,
  });
  const moved = await cm.post(`/dcns/${ids.dcnId}/migrate`, { targetHostId: h2 });
  const [target, source] = await Promise.all([h2, h1].map(async (h) => (await ctx.ha.get(`/hosts/${h}`)).json));
  say.check(`the DCN is on ${h2}`, moved.status === 200 && moved.json.hostId === h2, {
    expected: `200, hostId ${h2}`,
    seen: answer(moved),
    figures: `${moved.status}, ${moved.ms} ms`,
  });
  const portsOf = (view) =>
    [
      ...view.networkSwitch.ports.filter((p) => p.connectee?.dcnId === ids.dcnId),
      ...view.computeSwitches.flatMap((s) => s.ports.filter((p) => p.connectee?.dcnId === ids.dcnId)),
    ].length;
  say.equal(`at that answer ${h2} runs the DCN's 3 ports`, portsOf(target), 3);
  say.equal(`and ${h1} none`, portsOf(source), 0);
}

export async function pushToAll(ctx) {
  const { say, cm, hosts, ids } = ctx;
  ctx.begin('push', 'A change pushed to every host at once', {
    does: 'moves port group "app" to VLAN 101: the switch\'s final state is sent once to all its hosts, each applying only its own difference',
    checks: "the task records every host's outcome; every host runs the new revision, the DCN's port on VLAN 101",
  });
  const patched = await cm.patch(`/switches/${ids.switchId}/port-groups/${ids.portGroups.app}`, { vlanId: 101 });
  say.check('the change is accepted', patched.status === 202, {
    expected: '202',
    seen: answer(patched),
    figures: `revision ${patched.json?.revision}`,
  });
  const task = await taskEnd(ctx, patched.json.taskId, 'every host reports it applied');
  say.equal('the task names each host, succeeded', Object.keys(task.hosts).sort(), hosts.slice().sort());
  for (const hostId of hosts) {
    const sw = await switchOn(ctx, hostId, ids.switchId);
    say.equal(
      `${hostId} runs revision ${patched.json.revision} with "app" on VLAN 101`,
      [sw?.revision, sw?.portGroups.find((p) => p.id === ids.portGroups.app)?.vlanId],
      [patched.json.revision, 101],
    );
  }
  const port = (await switchOn(ctx, hosts[1], ids.switchId))?.ports.find((p) => p.id === ids.ports.app);
  say.check(
    `the DCN's port on ${hosts[1]} changed at that revision`,
    port?.vlanId === 101 && port.appliedAtRevision === patched.json.revision,
    {
      expected: `VLAN 101, appliedAtRevision ${patched.json.revision}`,
      seen: port,
      figures: `VLAN ${port?.vlanId}, appliedAtRevision ${port?.appliedAtRevision}`,
    },
  );
}
