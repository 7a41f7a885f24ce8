// Chapter 4: a snapshot restored onto a new switch, and an extension's data reaching a host module.
import { answer } from '../lib/client.mjs';
import { switchOn, taskEnd } from './switching.mjs';

/** A port group as configured, whatever its id. */
const config = ({ name, vlanId, management, policy }) => ({ name, vlanId, management, policy });

export async function snapshotRestored(ctx) {
  const { say, cm, hosts, ids, run } = ctx;
  ctx.begin('snapshot', 'A snapshot restored onto a new switch', {
    does: `snapshots demo-${run}-dvs into the object store, then restores it as a new switch demo-${run}-copy`,
    checks:
      "the copy has the same port groups (names, VLANs, policies) under new ids, on the snapshot's hosts, and every host runs it, still connected",
  });
  const original = (await cm.get(`/switches/${ids.switchId}`)).json;
  const snap = await cm.post(`/switches/${ids.switchId}/snapshots`);
  say.check('snapshot written', snap.status === 201 && snap.json.revision === original.revision, {
    expected: `201 at revision ${original.revision}`,
    seen: answer(snap),
    figures: `${snap.json?.location}, revision ${snap.json?.revision}`,
  });
  const listed = (await cm.get('/snapshots')).json ?? [];
  say.check(
    'it is listed from storage',
    listed.some((s) => s.id === snap.json.id),
    {
      expected: 'the snapshot in GET /snapshots',
      seen: `${listed.length} snapshots`,
      figures: `${listed.length} snapshot(s) listed`,
    },
  );
  const restore = await cm.post(`/snapshots/${snap.json.id}/restore`, { target: { mode: 'new', name: `demo-${run}-copy` } });
  say.check('restore onto a new switch accepted', restore.status === 202 && restore.json.switchId !== ids.switchId, {
    expected: '202 with a new switch id',
    seen: answer(restore),
    figures: `switch ${restore.json?.switchId}`,
  });
  ids.copyId = restore.json.switchId;
  await taskEnd(ctx, restore.json.taskId, 'every host takes the new switch');
  const copy = (await cm.get(`/switches/${ids.copyId}`)).json;
  say.equal("the copy has the snapshot's hosts", copy.hostIds, original.hostIds);
  say.equal(
    'and its port groups, configured the same',
    copy.portGroups.map(config),
    original.portGroups.map(config),
    copy.portGroups.map((p) => `${p.name} VLAN ${p.vlanId}`).join(', '),
  );
  say.check(
    'under new ids',
    copy.portGroups.every((p) => !original.portGroups.some((o) => o.id === p.id)),
    {
      expected: 'no port group id of the original',
      seen: copy.portGroups.map((p) => p.id),
      figures: undefined,
    },
  );
  for (const hostId of hosts) {
    await say.eventually(
      `${hostId} runs the copy at revision ${copy.revision}, connected`,
      async () => {
        const sw = await switchOn(ctx, hostId, ids.copyId);
        return {
          revision: sw?.revision,
          portGroups: sw?.portGroups.length,
          connected: (await ctx.ha.get(`/hosts/${hostId}`)).json?.managementConnected,
        };
      },
      (s) => s.revision === copy.revision && s.portGroups === copy.portGroups.length && s.connected,
      { expected: `revision ${copy.revision} with ${copy.portGroups.length} port groups, connected` },
    );
  }
}

export async function extensionReachesModule(ctx) {
  const { say, cm, ha, hosts, ids, run } = ctx;
  const h2 = hosts[1];
  const key = `com.example.demo-${run}`;
  const ns = `${key}.fw`;
  const opaque = (type, id, k, value, extensionKey = key) =>
    cm.put(`/opaque-data/${type}/${id}/${ns}/${k}`, { value }, { 'x-extension-key': extensionKey });
  ctx.begin('extension', "An extension's data reaches a host module", {
    does: `registers extension ${key} owning namespace ${ns}, sets a firewall profile on the switch and another on the DCN's "app" port; a module on ${h2} registers ${ns}`,
    checks:
      "the module reads the effective data: the switch's value inherited by its port groups, the port's own value winning; data the module sends up is served by the compute manager with the host as source",
  });
  const ext = await cm.post('/extensions', { key, namespaces: [ns] });
  say.check('extension registered', ext.status === 201, {
    expected: '201',
    seen: answer(ext),
    figures: `${ext.json?.key}: ${ext.json?.namespaces?.join(', ')}`,
  });
  const strict = { profile: 'strict', allow: [443] };
  const open = { profile: 'open' };
  say.equal("the switch's profile is set", (await opaque('switch', ids.switchId, 'firewall', strict)).status, 200);
  say.equal("the DCN's port sets its own", (await opaque('port', ids.ports.app, 'firewall', open)).status, 200);
  const foreign = await opaque('switch', ids.switchId, 'firewall', open, 'com.example.someone-else');
  say.equal('another extension may not write that namespace', answer(foreign), '403 EXTENSION_KEY_INVALID');

  const module = await ha.post(`/hosts/${h2}/modules`, { namespace: ns });
  say.check(`a module on ${h2} registers ${ns}`, module.status === 201, { expected: '201', seen: answer(module) });
  const entry = (data, type, id) => data.find((e) => e.entity.type === type && e.entity.id === id && e.key === 'firewall');
  const data = await say.eventually(
    `${h2}'s module reads the switch's, the port group's and the port's data`,
    async () => (await ha.get(`/hosts/${h2}/modules/${ns}/data`)).json,
    (d) =>
      Array.isArray(d) &&
      entry(d, 'switch', ids.switchId) &&
      entry(d, 'port', ids.ports.app) &&
      entry(d, 'port-group', ids.portGroups.app),
    { expected: 'entries for the switch, port group "app" and the DCN port', figures: (d) => `${d.length} entries` },
  );
  const pg = entry(data, 'port-group', ids.portGroups.app);
  say.check(
    "the port group inherits the switch's profile",
    JSON.stringify(pg.value) === JSON.stringify(strict) && pg.inheritedFrom?.id === ids.switchId,
    {
      expected: `${JSON.stringify(strict)} inherited from the switch`,
      seen: pg,
      figures: `${pg.value.profile}, inheritedFrom ${pg.inheritedFrom?.type}`,
    },
  );
  const port = entry(data, 'port', ids.ports.app);
  say.check("the port's own value wins", JSON.stringify(port.value) === JSON.stringify(open) && !port.inheritedFrom, {
    expected: `${JSON.stringify(open)}, not inherited`,
    seen: port,
    figures: port.value.profile,
  });

  const counters = { rxPackets: 42, drops: 0 };
  const sent = await ha.post(`/hosts/${h2}/modules/${ns}/data`, {
    entity: { type: 'port', id: ids.ports.app },
    key: 'counters',
    value: counters,
  });
  say.check('the module sends counters up', sent.status === 202, { expected: '202', seen: answer(sent) });
  await say.eventually(
    'the compute manager serves them with the host as source',
    async () =>
      ((await cm.get(`/opaque-data/port/${ids.ports.app}?namespace=${ns}`)).json ?? []).find((e) => e.key === 'counters'),
    (e) => e?.source === `host:${h2}` && JSON.stringify(e.value) === JSON.stringify(counters),
    { expected: `counters ${JSON.stringify(counters)} from host:${h2}`, figures: (e) => `source ${e.source}` },
  );
}
