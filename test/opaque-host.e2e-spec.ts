import { jest } from '@jest/globals';
import { ADMIN_TOKEN, api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Longer than Jest's 5 s default: tests wait for tasks (15 s), hosts converging and restarts, on a loaded machine.
jest.setTimeout(60000);

const EXT = 'acme.ext';
const FW = 'acme.fw';
const MON = 'acme.mon';

/** The opaque pass-through channel end to end: extensions on the compute manager, modules on the hosts (CONTRACT §4, §6.7). */
describe('opaque data on the hosts: modules read it, and send data up', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let ha: RunningService;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  let switchId: string;
  let pgId: string;
  let portId: string;

  const text = async (url: string, method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body,
    });
    return { status: res.status, text: await res.text() };
  };
  /** An extension's write, its value sent as the given text. */
  const put = async (type: string, id: string, ns: string, key: string, valueText: string) => {
    const res = await text(cm.url, 'PUT', `/opaque-data/${type}/${id}/${ns}/${key}`, `{"value":${valueText}}`, { 'x-extension-key': EXT });
    expect(res.status).toBe(200);
  };
  const del = async (type: string, id: string, ns: string, key: string) =>
    expect((await compute.delete(`/opaque-data/${type}/${id}/${ns}/${key}`, { 'x-extension-key': EXT })).status).toBe(204);
  /** What a module on the host reads, as the text the host answers. */
  const moduleData = (hostId: string, ns: string) => text(ha.url, 'GET', `/hosts/${hostId}/modules/${ns}/data`);
  const until = (hostId: string, ns: string, expected: string, what: string) =>
    eventually(async () => (await moduleData(hostId, ns)).text === expected, 20000, what).catch(async (err: Error) => {
      throw new Error(`${err.message}\n  got:      ${(await moduleData(hostId, ns)).text}\n  expected: ${expected}`);
    });
  const sendUp = (hostId: string, ns: string, entity: object, key: string, valueText: string) =>
    text(ha.url, 'POST', `/hosts/${hostId}/modules/${ns}/data`, `{"entity":${JSON.stringify(entity)},"key":"${key}","value":${valueText}}`);
  const ref = (type: string, id: string) => `{"type":"${type}","id":"${id}"}`;
  const item = (entity: string, key: string, value: string, inheritedFrom?: string) =>
    `{"entity":${entity},"key":"${key}","value":${value}${inheritedFrom ? `,"inheritedFrom":${inheritedFrom}` : ''}}`;

  // Awkward values: numbers JavaScript would change, unicode as escapes and as characters, key order.
  const BIG = '12345678901234567890123';
  const SMALL = '1e-400';
  const UNICODE = '"\\u00e9 é 😀 \\ud83d\\ude00"';
  const OBJECT = '{"b":1.0,"a":[-0,1E+2]}';

  beforeAll(async () => {
    await stack.start();
    [cm, ha] = await Promise.all([stack.startService('compute-manager', { TASK_TIMEOUT_MS: '10000' }), stack.startService('host-agent', { HOSTS: '2' })]);
    compute = api(cm.url);
    hosts = api(ha.url);
    await eventually(async () => (await compute.get('/hosts')).body.length === 2, 20000, 'hosts known to the compute manager');
    const created = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] });
    switchId = created.body.id;
    expect((await taskEnd(compute, created.body.taskId, 15000)).state).toBe('succeeded');
    const pg = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 });
    pgId = pg.body.portGroupId;
    expect((await taskEnd(compute, pg.body.taskId, 15000)).state).toBe('succeeded');
    const dcn = (await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' })).body;
    const nic = await compute.post(`/dcns/${dcn.id}/nics`, { portGroupId: pgId });
    portId = nic.body.portId;
    expect((await taskEnd(compute, nic.body.taskId, 15000)).state).toBe('succeeded');
    expect((await compute.post('/extensions', { key: EXT, namespaces: [FW, MON] })).status).toBe(201);
  }, 120000);
  afterAll(() => stack.stop(), 30000);

  /** The acme.fw view host-1 should serve with the data put in the first test. */
  const fwView = (pgB = '"pg-b"', pgBFrom?: string) => {
    const sw = ref('switch', switchId);
    const pg = ref('port-group', pgId);
    const port = ref('port', portId);
    return `[${[
      item(sw, 'a', BIG),
      item(sw, 'b', '"sw-b"'),
      item(pg, 'a', BIG, sw),
      item(pg, 'b', pgB, pgBFrom),
      item(pg, 'c', UNICODE),
      item(port, 'a', BIG, sw),
      item(port, 'b', pgB, pgBFrom ?? pg),
      item(port, 'c', SMALL),
      item(port, 'd', OBJECT),
      item(ref('host', 'host-1'), 'h', OBJECT),
    ].join(',')}]`;
  };

  it('serves a module the effective data of its namespace, inherited and overridden at each level, byte for byte, once it registers', async () => {
    await put('switch', switchId, FW, 'a', BIG);
    await put('switch', switchId, FW, 'b', '"sw-b"');
    await put('port-group', pgId, FW, 'b', '"pg-b"');
    await put('port-group', pgId, FW, 'c', '"pg-c"');
    await put('port', portId, FW, 'c', SMALL);
    await put('port', portId, FW, 'd', OBJECT);
    await put('host', 'host-1', FW, 'h', OBJECT);
    await put('switch', switchId, MON, 'm', '1.0');
    await put('host', 'host-2', MON, 'only-2', 'true');

    // Data of a namespace no module registered is kept by the host, not served.
    const unregistered = await hosts.get(`/hosts/host-1/modules/${FW}/data`);
    expect(unregistered.status).toBe(404);
    expect(unregistered.body.code).toBe('MODULE_NOT_REGISTERED');

    const registered = await hosts.post('/hosts/host-1/modules', { namespace: FW });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ hostId: 'host-1', namespace: FW, registeredAt: expect.any(String) });
    const again = await hosts.post('/hosts/host-1/modules', { namespace: FW });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(registered.body);

    // A change after registration reaches it too: the port group's own `c`.
    await put('port-group', pgId, FW, 'c', UNICODE);
    await until('host-1', FW, fwView(), "host-1's acme.fw view");
    // Through the checked client: the answer is what the document says.
    expect((await hosts.get(`/hosts/host-1/modules/${FW}/data`)).status).toBe(200);
  });

  it('serves a second module its own namespace only, and each host its own entities', async () => {
    expect((await hosts.post('/hosts/host-1/modules', { namespace: MON })).status).toBe(201);
    const sw = ref('switch', switchId);
    await until('host-1', MON, `[${[item(sw, 'm', '1.0'), item(ref('port-group', pgId), 'm', '1.0', sw), item(ref('port', portId), 'm', '1.0', sw)].join(',')}]`, "host-1's acme.mon view");
    expect((await hosts.post('/hosts/host-2/modules', { namespace: MON })).status).toBe(201);
    await until('host-2', MON, `[${[item(sw, 'm', '1.0'), item(ref('port-group', pgId), 'm', '1.0', sw), item(ref('host', 'host-2'), 'only-2', 'true')].join(',')}]`, "host-2's acme.mon view");
  });

  it('validates registrations and reads', async () => {
    const bad = await hosts.post('/hosts/host-1/modules', { namespace: 'NoDots' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/namespace/);
    expect((await hosts.post('/hosts/host-1/modules', { namespace: FW, other: 1 })).status).toBe(400);
    expect((await hosts.post('/hosts/host-9/modules', { namespace: FW })).status).toBe(404);
    expect((await hosts.get(`/hosts/host-9/modules/${FW}/data`)).status).toBe(404);
    expect((await hosts.get('/hosts/host-1/modules/NoDots/data')).status).toBe(400);
    // host-2 never registered acme.fw.
    expect((await hosts.get(`/hosts/host-2/modules/${FW}/data`)).body.code).toBe('MODULE_NOT_REGISTERED');
  });

  it("shows the switch's value on the host once the port group's own is deleted", async () => {
    await del('port-group', pgId, FW, 'b');
    await until('host-1', FW, fwView('"sw-b"', ref('switch', switchId)), 'the inherited value on host-1');
    await put('port-group', pgId, FW, 'b', '"pg-b"');
    await until('host-1', FW, fwView(), 'the port group value again');
  });

  /** Module data the compute manager serves for an entity, with the host as source. */
  const fromHost = async (type: string, id: string) =>
    (await text(cm.url, 'GET', `/opaque-data/${type}/${id}?namespace=${FW}`)).text;
  const reportedIds = async () =>
    (await compute.get('/events?streamId=host-1&type=ModuleDataReported&limit=1000')).body.events.map((e: { data: { messageId: string } }) => e.data.messageId);

  it('sends data up: the compute manager serves it with the host as its source, its value byte for byte', async () => {
    const value = `{"rx":${BIG},"tx":1.0,"u":${UNICODE}}`;
    const sent = await sendUp('host-1', FW, { type: 'port', id: portId }, 'counters', value);
    expect(sent.status).toBe(202);
    const { id } = JSON.parse(sent.text) as { id: string };
    await eventually(async () => (await fromHost('port', portId)).includes(`{"namespace":"${FW}","key":"counters","value":${value},"source":"host:host-1"}`), 15000, 'the data on the compute manager');
    expect(await reportedIds()).toEqual([id]);

    // Checked against the document; then what is refused.
    expect((await hosts.post(`/hosts/host-1/modules/${FW}/data`, { entity: { type: 'host', id: 'host-1' }, key: 'up', value: 1 })).status).toBe(202);
    const invalid = await hosts.post(`/hosts/host-1/modules/${FW}/data`, { entity: { type: 'vm', id: 'x' }, key: '-k', value: 1, extra: true });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/entity\.type/);
    expect(invalid.body.message).toMatch(/key/);
    expect(invalid.body.message).toMatch(/extra/);
    expect((await hosts.post(`/hosts/host-2/modules/${FW}/data`, { entity: { type: 'host', id: 'host-2' }, key: 'k', value: 1 })).body.code).toBe('MODULE_NOT_REGISTERED');
    expect((await hosts.post(`/hosts/host-9/modules/${FW}/data`, { entity: { type: 'host', id: 'host-9' }, key: 'k', value: 1 })).status).toBe(404);
    const big = await sendUp('host-1', FW, { type: 'host', id: 'host-1' }, 'big', `"${'a'.repeat(65535)}"`);
    expect(big.status).toBe(413);
  });

  it('keeps data sent up while the link is cut, and delivers it once, when the link is back', async () => {
    expect((await hosts.put('/hosts/host-1/uplink', { allowedVlans: [99] })).status).toBe(200);
    const before = await reportedIds();
    const sent = await sendUp('host-1', FW, { type: 'host', id: 'host-1' }, 'while-cut', SMALL);
    expect(sent.status).toBe(202);
    const { id } = JSON.parse(sent.text) as { id: string };
    // Nothing passes a cut link.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await fromHost('host', 'host-1')).not.toContain('while-cut');

    expect((await hosts.put('/hosts/host-1/uplink', { allowedVlans: [] })).status).toBe(200);
    await eventually(async () => (await fromHost('host', 'host-1')).includes(`"key":"while-cut","value":${SMALL},"source":"host:host-1"`), 15000, 'the data delivered');
    // Recorded once.
    await new Promise((r) => setTimeout(r, 1000));
    const after = await reportedIds();
    expect(after.slice(before.length).filter((m: string) => m === id)).toEqual([id]);
  });

  it('a restarted host agent serves its modules the same data from its store alone, and delivers what it kept', async () => {
    const fw = (await moduleData('host-1', FW)).text;
    const mon = (await moduleData('host-1', MON)).text;
    expect(fw).toBe(fwView());
    // No manager, and host-1's link cut (it stays cut across the restart): nothing reaches host-1 but its store.
    await cm.stop();
    expect((await hosts.put('/hosts/host-1/uplink', { allowedVlans: [99] })).status).toBe(200);
    const sent = await sendUp('host-1', FW, { type: 'host', id: 'host-1' }, 'after-restart', BIG);
    expect(sent.status).toBe(202);
    const { id } = JSON.parse(sent.text) as { id: string };
    await ha.stop();
    ha = await stack.startService('host-agent', { HOSTS: '2' });
    hosts = api(ha.url);
    expect((await hosts.get('/hosts/host-1')).body.uplink).toEqual({ allowedVlans: [99] });
    expect(await moduleData('host-1', FW)).toEqual({ status: 200, text: fw });
    expect(await moduleData('host-1', MON)).toEqual({ status: 200, text: mon });
    // Registrations were kept too: registering again changes nothing.
    expect((await hosts.post('/hosts/host-1/modules', { namespace: FW })).status).toBe(200);

    // What was accepted before the restart is delivered once the link flows, and recorded once the compute manager is back.
    expect((await hosts.put('/hosts/host-1/uplink', { allowedVlans: [] })).status).toBe(200);
    cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '10000' });
    compute = api(cm.url);
    await eventually(async () => (await fromHost('host', 'host-1')).includes(`"key":"after-restart","value":${BIG}`), 20000, 'the kept data delivered');
    expect((await reportedIds()).filter((m: string) => m === id)).toEqual([id]);
  }, 120000);
});
