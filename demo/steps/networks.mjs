// Chapter 1: the stack, its hosts, a zone and networks, and how hosts and the compute manager learn them.
import { answer } from '../lib/client.mjs';

export async function stackAnswers(ctx) {
  const { say, nm, cm, ha } = ctx;
  ctx.begin('stack', 'The stack answers', {
    does: "asks each service's GET /health, as a load balancer would",
    checks: 'all three answer 200 {"status":"ok"} (their NATS and PostgreSQL are up, their read models caught up)',
  });
  for (const [name, service] of [
    ['network manager', nm],
    ['compute manager', cm],
    ['host agent', ha],
  ]) {
    const res = await service.get('/health');
    say.check(`${name} at ${service.base} is healthy`, res.status === 200 && res.json?.status === 'ok', {
      expected: '200 {"status":"ok"}',
      seen: res.status ? `${res.status} ${JSON.stringify(res.json)}` : res.error,
      figures: `${res.status}, ${res.ms} ms`,
    });
  }
  const denied = await fetch(`${cm.base}/switches`);
  await denied.body?.cancel();
  say.equal('an admin call without the token is refused', denied.status, 401, '401');
}

export async function hostsJoin(ctx) {
  const { say, cm, ha, hosts } = ctx;
  ctx.begin('hosts', 'Three hypervisors join', {
    does: `adds the simulated hosts ${hosts.join(', ')} to the host agent (POST /hosts), each with its own store, credentials and management link`,
    checks: 'the compute manager discovers each one from its own reports, connected, without being told',
  });
  for (const hostId of hosts) {
    const res = await ha.post('/hosts', { hostId });
    say.check(`host agent serves ${hostId}`, res.status === 201, { expected: '201', seen: answer(res) });
  }
  await say.eventually(
    'the compute manager sees all three connected',
    async () => (await Promise.all(hosts.map((h) => cm.get(`/hosts/${h}`)))).map((r) => r.json?.connectionState ?? r.status),
    (states) => states.every((s) => s === 'connected'),
    { expected: 'connectionState "connected" for each', figures: (s) => s.join(', ') },
  );
}

export async function zoneAndNetworks(ctx) {
  const { say, nm, ids, run } = ctx;
  ctx.begin('networks', 'A transport zone and logical networks', {
    does: `creates zones demo-${run}-a and demo-${run}-b on the network manager, a network "web" in each (the same name on purpose) and "db" in zone a`,
    checks: 'each is created (201) with a UUID of its own and a VNI allocated by the manager, unique across it',
  });
  for (const zone of ['a', 'b']) {
    const res = await nm.post('/transport-zones', { name: `demo-${run}-${zone}` });
    say.check(`zone ${zone} created`, res.status === 201, { expected: '201', seen: answer(res), figures: res.json?.id });
    ids.zones[zone] = res.json.id;
  }
  for (const [key, name, zone, mtu] of [
    ['webA', 'web', 'a', 9000],
    ['webB', 'web', 'b', 1500],
    ['db', 'db', 'a', 1500],
  ]) {
    const res = await nm.post('/logical-networks', { name, transportZoneId: ids.zones[zone], mtu });
    say.check(`network "${name}" in zone ${zone} created`, res.status === 201 && res.json.revision === 1, {
      expected: '201, revision 1',
      seen: answer(res),
      figures: `id ${res.json?.id?.slice(0, 8)}…, VNI ${res.json?.vni}, MTU ${res.json?.mtu}`,
    });
    ids.networks[key] = res.json;
  }
  const { webA, webB, db } = ids.networks;
  say.check(
    'the two "web" networks are two networks: distinct ids and VNIs',
    webA.id !== webB.id && new Set([webA.vni, webB.vni, db.vni]).size === 3,
    {
      expected: 'three ids, three VNIs',
      seen: [webA, webB, db].map((n) => `${n.id}/${n.vni}`),
      figures: `VNIs ${webA.vni}, ${webB.vni}, ${db.vni}`,
    },
  );
}

export async function hostsLearnNetworks(ctx) {
  const { say, nm, ha, hosts, ids } = ctx;
  const [h1, h2, h3] = hosts;
  const { webA, webB, db } = ids.networks;
  ctx.begin('transport-nodes', 'Hosts learn the networks of their zones', {
    does: `makes ${h1} and ${h2} transport nodes of zone a, ${h3} of zone b (POST /transport-nodes)`,
    checks:
      'each host holds exactly the read-only constructs of its zone, owned by the network manager, which refuses local edits (405) and reports them realized',
  });
  for (const [hostId, zone] of [
    [h1, 'a'],
    [h2, 'a'],
    [h3, 'b'],
  ]) {
    const res = await nm.post('/transport-nodes', { hostId, transportZoneIds: [ids.zones[zone]] });
    say.check(`${hostId} joins zone ${zone}`, res.status === 201, { expected: '201', seen: answer(res) });
  }
  const held = async (hostId) => ((await ha.get(`/hosts/${hostId}/logical-networks`)).json ?? []).map((c) => c.id).sort();
  for (const [hostId, expected] of [
    [h1, [webA.id, db.id]],
    [h2, [webA.id, db.id]],
    [h3, [webB.id]],
  ]) {
    await say.eventually(
      `${hostId} holds ${expected.length === 2 ? 'web and db of zone a' : 'web of zone b'}`,
      () => held(hostId),
      (got) => JSON.stringify(got) === JSON.stringify(expected.sort()),
      {
        expected: JSON.stringify(expected),
      },
    );
  }
  const construct = (await ha.get(`/hosts/${h1}/logical-networks/${webA.id}`)).json;
  say.check(
    "the construct on the host is the network manager's",
    construct?.owner === 'network-manager' && construct.vni === webA.vni,
    {
      expected: `owner "network-manager", VNI ${webA.vni}`,
      seen: construct,
      figures: `owner ${construct?.owner}, VNI ${construct?.vni}, MTU ${construct?.mtu}`,
    },
  );
  const edit = await ha.patch(`/hosts/${h1}/logical-networks/${webA.id}`, { name: 'mine' });
  say.equal('a local edit on the host is refused', edit.status, 405);
  await say.eventually(
    'the network manager sees web (zone a) realized on both hosts',
    async () => ((await nm.get(`/logical-networks/${webA.id}`)).json?.realizedOn ?? []).sort(),
    (on) => on.length === 2,
    { expected: `realizedOn [${h1}, ${h2}]`, figures: (on) => on.join(', ') },
  );
}

export async function computeManagerLearns(ctx) {
  const { say, cm, hosts, ids } = ctx;
  const [h1, h2, h3] = hosts;
  const { webA, webB } = ids.networks;
  ctx.begin('learned', 'The compute manager learns them from the hosts', {
    does: 'reads GET /logical-networks on the compute manager, which never asks the network manager',
    checks: 'each network is listed with the hosts that reported it, by its id; writes to it are refused (405)',
  });
  for (const [net, expected] of [
    [webA, [h1, h2]],
    [webB, [h3]],
  ]) {
    await say.eventually(
      `"${net.name}" ${net.id.slice(0, 8)}… is known from ${expected.join(', ')}`,
      async () => (await cm.get(`/logical-networks/${net.id}`)).json,
      (n) => JSON.stringify(n?.hosts?.slice().sort()) === JSON.stringify(expected) && n.vni === net.vni,
      { expected: `hosts ${JSON.stringify(expected)}, VNI ${net.vni}`, figures: (n) => `VNI ${n.vni}, owner ${n.owner}` },
    );
  }
  const write = await cm.patch(`/logical-networks/${webA.id}`, { name: 'changed' });
  say.equal('the compute manager refuses to change it', write.status, 405);
  const host = (await cm.get(`/hosts/${h3}`)).json;
  say.equal(`${h3}'s networks, as the compute manager has them`, host?.logicalNetworks, [webB.id]);
}
