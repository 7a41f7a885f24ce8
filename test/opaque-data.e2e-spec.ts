import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { ADMIN_TOKEN, api, eventually, SuiteStack, type RunningService } from './harness/stack.js';

const EXT = 'com.acme.monitor';
const NS = 'com.acme.monitor';
const OTHER_EXT = 'org.other.ext';

/** The opaque pass-through channel on the compute manager (CONTRACT §5, §6.7), hosts played by the test. */
describe('opaque data on the compute manager', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let compute: ReturnType<typeof api>;
  let nc: NatsConnection;
  let switchesKv: KV;
  let portsKv: KV;
  let switchId: string;
  let portGroupId: string;
  let portId: string;

  /** The last position of the compute manager's log. */
  const lastPosition = async (): Promise<number> => {
    let after = 0;
    for (;;) {
      const page = (await compute.get(`/events?after=${after}&limit=1000`)).body;
      if (page.events.length) after = page.events[page.events.length - 1].position;
      if (page.next === null || page.events.length === 0) return after;
      after = page.next;
    }
  };
  /** A raw request: the body is sent as the given text, the answer is kept as text. */
  const raw = async (method: string, path: string, body?: string, extensionKey: string | null = EXT) => {
    const res = await fetch(`${cm.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(extensionKey !== null ? { 'x-extension-key': extensionKey } : {}),
      },
      body,
    });
    return { status: res.status, text: await res.text() };
  };
  const put = (type: string, id: string, key: string, valueText: string, ns = NS, ext: string | null = EXT) =>
    raw('PUT', `/opaque-data/${type}/${id}/${ns}/${key}`, `{"value":${valueText}}`, ext);
  const view = async (type: string, id: string, query = '') => {
    const res = await compute.get(`/opaque-data/${type}/${id}${query}`);
    expect(res.status).toBe(200);
    return res.body as Array<{ namespace: string; key: string; value: unknown; inheritedFrom?: { type: string; id: string }; source?: string }>;
  };
  const byKey = (entries: Awaited<ReturnType<typeof view>>) => Object.fromEntries(entries.map(({ key, ...rest }) => [key, rest]));

  beforeAll(async () => {
    await stack.start();
    cm = await stack.startService('compute-manager');
    compute = api(cm.url);
    nc = await connect(await stack.natsOptions());
    const kvm = new Kvm(nc);
    switchesKv = await kvm.open('vnet-switches');
    portsKv = await kvm.open('vnet-host-ports');
    for (const hostId of ['host-1', 'host-2']) expect((await compute.post('/hosts', { hostId })).status).toBe(201);
    switchId = (await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] })).body.id;
    portGroupId = (await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 })).body.portGroupId;
    const dcn = (await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' })).body;
    portId = (await compute.post(`/dcns/${dcn.id}/nics`, { portGroupId })).body.portId;
  }, 90000);
  afterAll(async () => {
    await nc?.close();
    await stack.stop();
  }, 30000);

  it('registers an extension with its namespaces, adds namespaces on a second POST, and refuses a namespace another owns', async () => {
    const created = await compute.post('/extensions', { key: EXT, namespaces: [NS] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ key: EXT, namespaces: [NS] });
    const added = await compute.post('/extensions', { key: EXT, namespaces: [NS, 'com.acme.monitor.v2'] });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ key: EXT, namespaces: [NS, 'com.acme.monitor.v2'] });
    expect((await compute.post('/extensions', { key: OTHER_EXT, namespaces: ['org.other.ns'] })).status).toBe(201);

    const before = await lastPosition();
    const taken = await compute.post('/extensions', { key: OTHER_EXT, namespaces: ['org.other.second', NS] });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'NAMESPACE_TAKEN', namespaces: [NS] });
    const stranger = await compute.post('/extensions', { key: 'net.stranger', namespaces: [NS] });
    expect(stranger.status).toBe(409);
    expect(await lastPosition()).toBe(before);
    // The refused registration recorded nothing: org.other.second is still free.
    expect((await compute.post('/extensions', { key: 'net.stranger', namespaces: ['org.other.second'] })).status).toBe(201);

    const bad = await compute.post('/extensions', { key: 'nodots', namespaces: ['Bad_Namespace'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/key/);
    expect(bad.body.message).toMatch(/namespaces/);
    expect((await compute.post('/extensions', { key: EXT, namespaces: [`a.${'b'.repeat(127)}`] })).status).toBe(400);
  });

  it('lets exactly one of concurrent registrations of one namespace win', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => compute.post('/extensions', { key: `org.racer${i}.ext`, namespaces: [`org.racer${i}.own`, 'org.race.shared'] })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'NAMESPACE_TAKEN')).toBe(true);
    const winner = answers.find((a) => a.status === 201)!.body.key;
    const registered = (await compute.get(`/events?type=ExtensionRegistered&limit=1000`)).body.events.filter((e: { data: { namespaces: string[] } }) =>
      e.data.namespaces.includes('org.race.shared'),
    );
    expect(registered.map((e: { streamId: string }) => e.streamId)).toEqual([winner]);
  });

  it('refuses writes without the owning extension key, and records nothing', async () => {
    const before = await lastPosition();
    for (const ext of [null, 'com.unknown.ext', OTHER_EXT]) {
      const res = await put('switch', switchId, 'k', '1', NS, ext);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text)).toMatchObject({ statusCode: 403, code: 'EXTENSION_KEY_INVALID' });
      expect((await raw('DELETE', `/opaque-data/switch/${switchId}/${NS}/k`, undefined, ext)).status).toBe(403);
    }
    // A namespace nobody registered has no owner: the key does not own it either.
    expect((await put('switch', switchId, 'k', '1', 'com.nobody.ns')).status).toBe(403);
    expect(await lastPosition()).toBe(before);
    // Through the checked client: the 403 is documented.
    expect((await compute.put(`/opaque-data/switch/${switchId}/${NS}/k`, { value: 1 })).status).toBe(403);
  });

  it('validates entity type, namespace, key and body, and answers 404 for an unknown entity', async () => {
    const before = await lastPosition();
    const headers = { 'x-extension-key': EXT };
    expect((await compute.put(`/opaque-data/vm/${switchId}/${NS}/k`, { value: 1 }, headers)).body.message).toMatch(/entityType/);
    expect((await compute.put(`/opaque-data/switch/${switchId}/NoDots/k`, { value: 1 }, headers)).body.message).toMatch(/namespace/);
    const badKey = await compute.put(`/opaque-data/switch/${switchId}/${NS}/${'k'.repeat(129)}`, { value: 1 }, headers);
    expect(badKey.status).toBe(400);
    expect(badKey.body.message).toMatch(/key/);
    expect((await compute.put(`/opaque-data/switch/${switchId}/${NS}/-bad`, { value: 1 }, headers)).status).toBe(400);
    const extra = await compute.put(`/opaque-data/switch/${switchId}/${NS}/k`, { value: 1, other: 2 }, headers);
    expect(extra.status).toBe(400);
    expect(extra.body.message).toMatch(/other/);
    expect((await compute.put(`/opaque-data/switch/${switchId}/${NS}/k`, {}, headers)).body.message).toMatch(/value/);
    for (const [type, id] of [
      ['switch', randomUUID()],
      ['port-group', randomUUID()],
      ['port', randomUUID()],
      ['host', 'host-9'],
      ['switch', 'not-a-uuid'],
    ]) {
      expect((await compute.put(`/opaque-data/${type}/${id}/${NS}/k`, { value: 1 }, headers)).status).toBe(404);
      expect((await compute.get(`/opaque-data/${type}/${id}`)).status).toBe(404);
    }
    expect(await lastPosition()).toBe(before);
  });

  it('inherits switch → port group → port; a lower key wins, and deleting it shows the inherited one again', async () => {
    expect((await put('switch', switchId, 'a', '"switch-a"')).status).toBe(200);
    expect((await put('switch', switchId, 'b', '"switch-b"')).status).toBe(200);
    expect((await put('port-group', portGroupId, 'b', '"pg-b"')).status).toBe(200);
    expect((await put('port-group', portGroupId, 'c', '"pg-c"')).status).toBe(200);
    expect((await put('port', portId, 'd', '"port-d"')).status).toBe(200);
    expect((await put('host', 'host-1', 'h', '"host-h"')).status).toBe(200);
    const sw = { type: 'switch', id: switchId };
    const pg = { type: 'port-group', id: portGroupId };

    expect(byKey(await view('switch', switchId))).toEqual({ a: { namespace: NS, value: 'switch-a' }, b: { namespace: NS, value: 'switch-b' } });
    expect(byKey(await view('port-group', portGroupId))).toEqual({
      a: { namespace: NS, value: 'switch-a', inheritedFrom: sw },
      b: { namespace: NS, value: 'pg-b' },
      c: { namespace: NS, value: 'pg-c' },
    });
    expect(byKey(await view('port', portId))).toEqual({
      a: { namespace: NS, value: 'switch-a', inheritedFrom: sw },
      b: { namespace: NS, value: 'pg-b', inheritedFrom: pg },
      c: { namespace: NS, value: 'pg-c', inheritedFrom: pg },
      d: { namespace: NS, value: 'port-d' },
    });
    expect(byKey(await view('host', 'host-1'))).toEqual({ h: { namespace: NS, value: 'host-h' } });

    expect((await put('port', portId, 'a', '"port-a"')).status).toBe(200);
    expect(byKey(await view('port', portId)).a).toEqual({ namespace: NS, value: 'port-a' });
    const deleted = await compute.delete(`/opaque-data/port/${portId}/${NS}/a`, { 'x-extension-key': EXT });
    expect(deleted.status).toBe(204);
    expect(byKey(await view('port', portId)).a).toEqual({ namespace: NS, value: 'switch-a', inheritedFrom: sw });
    // Deleting what is not there records nothing.
    const before = await lastPosition();
    expect((await compute.delete(`/opaque-data/port/${portId}/${NS}/a`, { 'x-extension-key': EXT })).status).toBe(204);
    expect(await lastPosition()).toBe(before);

    // Namespace filter.
    expect((await put('switch', switchId, 'v2', 'true', 'com.acme.monitor.v2')).status).toBe(200);
    expect((await view('port', portId, '?namespace=com.acme.monitor.v2')).map((e) => e.key)).toEqual(['v2']);
    expect((await compute.get(`/opaque-data/port/${portId}?namespace=Bad`)).status).toBe(400);

    // Every put and delete is an event of the owning object's stream.
    const ofSwitch = (await compute.get(`/events?streamId=${switchId}&limit=1000`)).body.events.map((e: { type: string }) => e.type);
    expect(ofSwitch.filter((t: string) => t === 'OpaqueDataPut')).toHaveLength(5);
    const dcnId = (await compute.get('/dcns')).body[0].id;
    const ofDcn = (await compute.get(`/events?streamId=${dcnId}&limit=1000`)).body.events.map((e: { type: string }) => e.type);
    expect(ofDcn).toEqual(['DcnCreated', 'NicAttached', 'OpaqueDataPut', 'OpaqueDataPut', 'OpaqueDataDeleted']);
  });

  it('carries awkward values unchanged, byte for byte', async () => {
    const check = async (valueText: string) => {
      const key = `v-${randomUUID()}`;
      const written = await put('port-group', portGroupId, key, valueText);
      expect(written.status).toBe(200);
      expect(written.text).toBe(`{"entity":{"type":"port-group","id":"${portGroupId}"},"namespace":"${NS}","key":"${key}","value":${valueText}}`);
      const read = await raw('GET', `/opaque-data/port-group/${portGroupId}?namespace=${NS}`);
      expect(read.text).toContain(`{"namespace":"${NS}","key":"${key}","value":${valueText}}`);
      const ofPort = await raw('GET', `/opaque-data/port/${portId}?namespace=${NS}`);
      expect(ofPort.text).toContain(`{"namespace":"${NS}","key":"${key}","value":${valueText},"inheritedFrom":{"type":"port-group","id":"${portGroupId}"}}`);
    };
    for (const text of [
      '12345678901234567890123',
      '1e-400',
      '1.0',
      '-0',
      '1E+2',
      'null',
      '{}',
      '[]',
      '{"b":1,"a":2}',
      '{"a":1,"a":2}',
      '"\\u00e9 é 😀 \\ud83d\\ude00 \\u0000"',
      '[ 1 ,\n\t2 ]',
      `${'['.repeat(300)}${']'.repeat(300)}`,
    ]) {
      await check(text);
    }
    await fc.assert(fc.asyncProperty(fc.json({ depthSize: 'small' }), check), { numRuns: 40 });
  }, 120000);

  it('accepts a value of exactly 64 KiB and refuses one byte more', async () => {
    const fits = `"${'a'.repeat(65534)}"`;
    expect(Buffer.byteLength(fits)).toBe(65536);
    expect((await put('host', 'host-2', 'big', fits)).status).toBe(200);
    const before = await lastPosition();
    const over = await put('host', 'host-2', 'big', `"${'a'.repeat(65535)}"`);
    expect(over.status).toBe(413);
    expect(JSON.parse(over.text)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/65536/) });
    expect(await lastPosition()).toBe(before);
    expect((await raw('GET', `/opaque-data/host/host-2?namespace=${NS}`)).text).toBe(`[{"namespace":"${NS}","key":"big","value":${fits}}]`);
  });

  it("puts the values, raw, into the switch's desired state and the host's ports desired state", async () => {
    const awkward = '{"n":12345678901234567890123,"z":1e-400,"f":1.0}';
    expect((await put('switch', switchId, 'raw', awkward)).status).toBe(200);
    expect((await put('port', portId, 'raw', awkward)).status).toBe(200);
    const desired = await eventually(async () => {
      const d = (await switchesKv.get(switchId))!.json<{ revision: number; opaque?: Array<{ entity: object; key: string; valueJson: string }> }>();
      return d.opaque?.some((e) => e.key === 'raw') ? d : null;
    }, 10000, 'the switch desired state to carry the entry');
    expect(desired.revision).toBe((await compute.get(`/switches/${switchId}`)).body.revision);
    expect(desired.opaque!.find((e) => e.key === 'raw')).toEqual({ entity: { type: 'switch', id: switchId }, namespace: NS, key: 'raw', valueJson: awkward });
    expect(desired.opaque!.find((e) => e.key === 'b' && (e.entity as { type: string }).type === 'port-group')).toMatchObject({ valueJson: '"pg-b"' });

    const ports = await eventually(async () => {
      const d = (await portsKv.get('host-1'))!.json<{ ports: Array<{ id: string }>; opaque?: Array<{ entity: { type: string; id: string }; key: string; valueJson: string }> }>();
      return d.opaque?.some((e) => e.key === 'raw') ? d : null;
    }, 10000, "the host's ports desired state to carry the entry");
    expect(ports.opaque!.find((e) => e.key === 'raw')).toEqual({ entity: { type: 'port', id: portId }, namespace: NS, key: 'raw', valueJson: awkward });
    expect(ports.opaque!.find((e) => e.entity.type === 'host')).toEqual({ entity: { type: 'host', id: 'host-1' }, namespace: NS, key: 'h', valueJson: '"host-h"' });
  });

  it('records what a host module sends up once, refuses one that names another host, and serves it with its source', async () => {
    const js = jetstream(nc);
    const message = {
      id: randomUUID(),
      hostId: 'host-1',
      namespace: NS,
      entity: { type: 'port', id: portId },
      key: 'counters',
      valueJson: '{"rx":12345678901234567890123,"tx":1.0}',
      sentAt: new Date().toISOString(),
    };
    // Sent twice without a Nats-Msg-Id: the compute manager's own dedup must hold.
    await js.publish('hosts.host-1.module-data', JSON.stringify(message));
    await js.publish('hosts.host-1.module-data', JSON.stringify(message));
    await js.publish('hosts.host-1.module-data', JSON.stringify({ ...message, id: randomUUID(), hostId: 'host-2', key: 'forged' }));
    await js.publish('hosts.host-1.module-data', JSON.stringify({ ...message, id: randomUUID(), key: 'bad', valueJson: '{nope' }));
    const last = { ...message, id: randomUUID(), key: 'last', valueJson: '"done"' };
    await js.publish('hosts.host-1.module-data', JSON.stringify(last));
    await eventually(async () => (await view('port', portId)).some((e) => e.key === 'last'), 15000, 'the module data to be recorded');

    const fromHost = (await view('port', portId)).filter((e) => e.source);
    expect(fromHost).toEqual([
      { namespace: NS, key: 'counters', value: { rx: 12345678901234567890123, tx: 1 }, source: 'host:host-1' },
      { namespace: NS, key: 'last', value: 'done', source: 'host:host-1' },
    ]);
    expect((await raw('GET', `/opaque-data/port/${portId}`)).text).toContain(
      `{"namespace":"${NS}","key":"counters","value":{"rx":12345678901234567890123,"tx":1.0},"source":"host:host-1"}`,
    );
    const reported = (await compute.get('/events?streamId=host-1&type=ModuleDataReported')).body.events;
    expect(reported.map((e: { data: { key: string } }) => e.data.key)).toEqual(['counters', 'last']);
    expect(reported[0].metadata.actor).toBe('host:host-1');
  });

  it('answers the same after a rebuild of the read models', async () => {
    const paths = [`/opaque-data/switch/${switchId}`, `/opaque-data/port-group/${portGroupId}`, `/opaque-data/port/${portId}`, '/opaque-data/host/host-1', '/opaque-data/host/host-2'];
    const before = await Promise.all(paths.map((p) => raw('GET', p)));
    expect((await compute.post('/admin/rebuild')).status).toBe(200);
    const after = await Promise.all(paths.map((p) => raw('GET', p)));
    expect(after).toEqual(before);
    // Registrations too: the namespace is still owned.
    expect((await compute.post('/extensions', { key: 'net.late', namespaces: [NS] })).status).toBe(409);
  });

  it('reads the entries as they were at a point of the log (asOf)', async () => {
    expect((await put('switch', switchId, 'when', '"first"')).status).toBe(200);
    const between = await lastPosition();
    await new Promise((r) => setTimeout(r, 50));
    const betweenTime = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));
    expect((await put('switch', switchId, 'when', '"second"')).status).toBe(200);
    const at = async (q: string) => byKey(await view('port', portId, q)).when;
    expect(await at('')).toEqual({ namespace: NS, value: 'second', inheritedFrom: { type: 'switch', id: switchId } });
    expect(await at(`?asOf=${between}`)).toEqual({ namespace: NS, value: 'first', inheritedFrom: { type: 'switch', id: switchId } });
    expect(await at(`?asOf=${encodeURIComponent(betweenTime)}`)).toEqual({ namespace: NS, value: 'first', inheritedFrom: { type: 'switch', id: switchId } });
    expect(await at('?asOf=1')).toBeUndefined();
    expect((await compute.get(`/opaque-data/switch/${switchId}?asOf=yesterday`)).status).toBe(400);
  });

  it("keeps the switch's and port groups' data in a snapshot and brings it back on a restore", async () => {
    const snapshot = (await compute.post(`/switches/${switchId}/snapshots`)).body;
    const detail = (await compute.get(`/snapshots/${snapshot.id}`)).body;
    expect(detail.schemaVersion).toBe(2);
    expect(detail.opaque.entries).toContainEqual({ entity: { type: 'switch', id: switchId }, namespace: NS, key: 'raw', valueJson: '{"n":12345678901234567890123,"z":1e-400,"f":1.0}' });
    expect(detail.opaque.entries).toContainEqual({ entity: { type: 'port-group', id: portGroupId }, namespace: NS, key: 'b', valueJson: '"pg-b"' });

    const restored = await compute.post(`/snapshots/${snapshot.id}/restore`, { target: { mode: 'new', name: 'copy' } });
    expect(restored.status).toBe(202);
    const copy = (await compute.get(`/switches/${restored.body.switchId}`)).body;
    const copyGroup = copy.portGroups[0].id;
    expect(copyGroup).not.toBe(portGroupId);
    const strip = (text: string, ...ids: Array<[string, string]>) => ids.reduce((t, [from, to]) => t.split(from).join(to), text);
    expect((await raw('GET', `/opaque-data/switch/${copy.id}`)).text).toBe(strip((await raw('GET', `/opaque-data/switch/${switchId}`)).text));
    expect((await raw('GET', `/opaque-data/port-group/${copyGroup}`)).text).toBe(
      strip((await raw('GET', `/opaque-data/port-group/${portGroupId}`)).text, [switchId, copy.id]),
    );

    // Onto the same switch: data put after the snapshot goes, data deleted since comes back.
    expect((await put('switch', switchId, 'after-snapshot', '1')).status).toBe(200);
    expect((await compute.delete(`/opaque-data/switch/${switchId}/${NS}/a`, { 'x-extension-key': EXT })).status).toBe(204);
    expect((await compute.post(`/snapshots/${snapshot.id}/restore`, { target: { mode: 'same' } })).status).toBe(202);
    const keys = (await view('switch', switchId)).map((e) => e.key);
    expect(keys).toContain('a');
    expect(keys).not.toContain('after-snapshot');
    const desired = (await switchesKv.get(switchId))!.json<{ opaque: Array<{ key: string }> }>();
    expect(desired.opaque.map((e) => e.key)).toContain('a');
    expect(desired.opaque.map((e) => e.key)).not.toContain('after-snapshot');
  });
});
