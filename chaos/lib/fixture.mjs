// A few real objects on each service, so that hostile requests also reach the code behind a
// known id (a bad body on an existing switch, not only a 404).

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function until(what, probe, timeoutMs = 30000) {
  const t0 = Date.now();
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * Creates on each service that is given: a zone, a network and a transport node (network manager),
 * a host, a switch with a port group, a DCN with a NIC, an extension and a snapshot (compute
 * manager), and the host itself (host agent). Answers, per service, the ids by path parameter name.
 */
export async function createFixture({ nm, cm, ha, token, hostId = 'fz-host-1' }) {
  const known = { 'network-manager': {}, 'compute-manager': {}, 'host-agent': {} };
  if (ha) await call(ha, token, 'POST', '/hosts', { hostId });
  const zone = await call(nm, token, 'POST', '/transport-zones', { name: 'fz-zone' });
  const network = await call(nm, token, 'POST', '/logical-networks', { name: 'fz-net', transportZoneId: zone.id });
  await call(nm, token, 'POST', '/transport-nodes', { hostId, transportZoneIds: [zone.id] });
  known['network-manager'] = { id: [zone.id, network.id], hostId: [hostId], zoneId: [zone.id] };

  await call(cm, token, 'POST', '/hosts', { hostId });
  const sw = await call(cm, token, 'POST', '/switches', { name: 'fz-switch', hostIds: [hostId], rollbackTimeoutMs: 5000 });
  const pg = await call(cm, token, 'POST', `/switches/${sw.id}/port-groups`, { name: 'fz-pg', vlanId: 10 });
  const dcn = await call(cm, token, 'POST', '/dcns', { name: 'fz-dcn', hostId });
  const ext = await call(cm, token, 'POST', '/extensions', { key: 'com.example.fuzz', namespaces: ['com.example.fuzz'] });
  const snapshot = await call(cm, token, 'POST', `/switches/${sw.id}/snapshots`);
  let nicPort = null;
  if (ha) {
    // The host must hold the network before a NIC can attach to it.
    await until(
      'the host to report the network',
      async () => (await call(cm, token, 'GET', `/logical-networks/${network.id}`))?.id,
    );
    const nic = await call(cm, token, 'POST', `/dcns/${dcn.id}/nics`, { logicalNetworkId: network.id });
    nicPort = nic.portId;
  }
  known['compute-manager'] = {
    id: [sw.id, dcn.id, snapshot.id, pg.taskId, sw.taskId, network.id],
    hostId: [hostId],
    pgId: [pg.portGroupId],
    entityType: ['switch', 'port-group', 'port', 'host'],
    entityId: [sw.id, pg.portGroupId, hostId, ...(nicPort ? [nicPort] : [])],
    namespace: ext.namespaces,
    key: ['k1'],
  };
  known['host-agent'] = { hostId: [hostId], id: [network.id], namespace: ['com.example.fuzz'] };
  if (ha) await call(ha, token, 'POST', `/hosts/${hostId}/modules`, { namespace: 'com.example.fuzz' });
  return known;
}

/** What the host agent holds: its hosts, and each one's journal (compared before and after a run). */
export async function hostAgentState(ha, token) {
  const headers = { authorization: `Bearer ${token}` };
  const hosts = await (await fetch(`${ha}/hosts`, { headers })).json();
  const journals = [];
  for (const h of hosts) {
    const page = await (await fetch(`${ha}/hosts/${h.hostId}/events?limit=1000`, { headers })).json();
    journals.push(`${h.hostId}:${page.events?.length ?? page.entries?.length ?? JSON.stringify(page).length}`);
  }
  return JSON.stringify({ hosts: hosts.map((h) => h.hostId).sort(), journals });
}
