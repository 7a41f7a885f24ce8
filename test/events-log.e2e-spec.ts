import { jest } from '@jest/globals';
import { lastPosition, readLog } from './harness/event-log.js';
import { api, ADMIN_TOKEN, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Longer than Jest's 5 s default, since a test waits for tasks (20 s each) or makes a few hundred HTTP calls (on a loaded machine too).
jest.setTimeout(40000);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const tick = () => new Promise((r) => setTimeout(r, 5));

/**
 * `GET /events` of both managers (CONTRACT §2): filters by the ids the API returns, combined,
 * paging with `next`, bad parameters named; generated correlation ids; the compute manager's open
 * and guarded edges; `/health` while NATS is down.
 */
describe('event logs of both managers, and the edges around them', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let net: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let zone: string;
  let networkId: string;
  let switchId: string;
  let dcnId: string;

  const task = (id: string) => taskEnd(compute, id, 20000);

  beforeAll(async () => {
    await stack.start();
    [nm, cm] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager', { TASK_TIMEOUT_MS: '8000' }),
      stack.startService('host-agent', { HOSTS: '2' }),
    ]);
    net = api(nm.url);
    compute = api(cm.url);
    zone = (await net.post('/transport-zones', { name: 'overlay' })).body.id;
    networkId = (await net.post('/logical-networks', { name: 'web', transportZoneId: zone })).body.id;
    expect((await net.post('/transport-nodes', { hostId: 'host-1', transportZoneIds: [zone] })).status).toBe(201);
    await eventually(async () => (await compute.get('/hosts')).body.length === 2, 20000, 'both hosts known to the compute manager');
    const sw = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] });
    switchId = sw.body.id;
    expect((await task(sw.body.taskId)).state).toBe('succeeded');
    const pg = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 });
    expect((await task(pg.body.taskId)).state).toBe('succeeded');
    dcnId = (await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' })).body.id;
  }, 120000);
  afterAll(() => stack.stop(), 60000);

  it('streamId is the id the API returns, on the network manager: a network, a zone, a host', async () => {
    expect((await net.patch(`/logical-networks/${networkId}`, { mtu: 9000 })).status).toBe(200);
    const ofNetwork = await readLog(net, `streamId=${networkId}`);
    expect(ofNetwork.map((e) => e.version)).toEqual([1, 2]);
    expect(ofNetwork.every((e) => e.streamId === networkId)).toBe(true);
    expect(ofNetwork[0].data).toMatchObject({ id: networkId, name: 'web' });

    const ofZone = await readLog(net, `streamId=${zone}`);
    expect(ofZone).toHaveLength(1);
    expect(ofZone[0].streamId).toBe(zone);

    // The transport node's events, and those of what the host reported, all under the host's id.
    await eventually(async () => (await net.get(`/logical-networks/${networkId}`)).body.realizedOn.includes('host-1'), 20000, 'host-1 realized it');
    const ofHost = await readLog(net, 'streamId=host-1');
    expect(ofHost.length).toBeGreaterThanOrEqual(2);
    expect(ofHost.every((e) => e.streamId === 'host-1')).toBe(true);
    expect(ofHost.some((e) => e.metadata.actor === 'admin')).toBe(true);
    expect(ofHost.some((e) => e.metadata.actor === 'host:host-1')).toBe(true);
    expect(await readLog(net, 'streamId=host-2')).toEqual([]);
    // The whole log names streams the same way.
    const all = await readLog(net);
    expect(all.filter((e) => e.streamId === networkId)).toEqual(ofNetwork);
  }, 30000);

  it('streamId is the id the API returns, on the compute manager: a switch, a DCN, a host', async () => {
    const ofSwitch = await readLog(compute, `streamId=${switchId}`);
    expect(ofSwitch.map((e) => e.version)).toEqual([1, 2]);
    expect(ofSwitch.every((e) => e.streamId === switchId)).toBe(true);
    const ofDcn = await readLog(compute, `streamId=${dcnId}`);
    expect(ofDcn).toHaveLength(1);
    expect(ofDcn[0]).toMatchObject({ streamId: dcnId, version: 1, data: { id: dcnId, name: 'vm-1', hostId: 'host-1' } });
    const ofHost = await readLog(compute, 'streamId=host-2');
    expect(ofHost.length).toBeGreaterThan(0);
    expect(ofHost.every((e) => e.streamId === 'host-2')).toBe(true);
    expect(await readLog(compute, `streamId=switch-${switchId}`)).toEqual([]);
  });

  it('limit is 1–1000, default 100; anything else is 400 naming limit, on both managers', async () => {
    for (const client of [net, compute]) {
      for (const bad of ['0', '1001', '-1', 'abc', '1.5', '']) {
        const res = await client.get(`/events?limit=${bad}`);
        expect([bad, res.status]).toEqual([bad, 400]);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
        expect(res.body.message).toMatch(/\blimit\b/);
      }
    }
    // More than 100 events: the default page holds 100 and points at the next.
    for (let i = 0; i < 110; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => net.post('/transport-zones', { name: `bulk-${i + j}` })));
    }
    // The log is read below its oldest running writer: wait until all 110 are visible, so that later tests start from a settled end.
    await eventually(
      async () => (await readLog(net, 'type=TransportZoneCreated')).filter((e) => String(e.data.name).startsWith('bulk-')).length === 110,
      10000,
      'the 110 creates visible in the log',
    );
    const all = await readLog(net);
    expect(all.length).toBeGreaterThan(110);
    const page = (await net.get('/events')).body;
    expect(page.events).toHaveLength(100);
    expect(page.events).toEqual(all.slice(0, 100));
    expect(page.next).toBe(all[99].position);
    const big = (await net.get('/events?limit=1000')).body;
    expect(big.events).toEqual(all.slice(0, big.events.length));
    expect(big.events.length).toBe(Math.min(all.length, 1000));
    expect((await net.get('/events?limit=1')).body.events).toEqual(all.slice(0, 1));
  }, 30000);

  it('an after past the end or between positions answers what follows; bad after, from or to is 400 naming it', async () => {
    const end = await lastPosition(net);
    for (const after of [end, end + 1000, Number.MAX_SAFE_INTEGER]) {
      expect((await net.get(`/events?after=${after}`)).body).toEqual({ events: [], next: null });
    }
    const all = await readLog(net);
    const gapFree = all[5].position;
    expect((await net.get(`/events?after=${gapFree}&limit=2`)).body.events).toEqual(all.slice(6, 8));
    for (const [param, value] of [
      ['after', 'abc'],
      ['after', '-1'],
      ['after', '1.5'],
      ['from', 'yesterday'],
      ['from', '2024-13-45T00:00:00Z'],
      ['to', 'soon'],
      ['to', '12345'],
    ]) {
      for (const client of [net, compute]) {
        const res = await client.get(`/events?${param}=${encodeURIComponent(value)}`);
        expect([param, value, res.status]).toEqual([param, value, 400]);
        expect(res.body.message).toMatch(new RegExp(`\\b${param}\\b`));
      }
    }
  }, 30000);

  it('filters combine: type with streamId, correlationId, actor, from/to', async () => {
    const before = await net.patch(`/logical-networks/${networkId}`, { name: 'web-a' }, { 'X-Correlation-Id': 'filter-before' });
    expect(before.status).toBe(200);
    await tick();
    const from = new Date().toISOString();
    await tick();
    const during = await net.post('/transport-zones', { name: 'windowed' }, { 'X-Correlation-Id': 'filter-during' });
    await net.patch(`/logical-networks/${networkId}`, { name: 'web-b' }, { 'X-Correlation-Id': 'filter-during' });
    await tick();
    const to = new Date().toISOString();
    await tick();
    await net.patch(`/logical-networks/${networkId}`, { name: 'web-c' }, { 'X-Correlation-Id': 'filter-after' });

    const ofNetwork = await readLog(net, `streamId=${networkId}`);
    const updateType = ofNetwork.at(-1)!.type;
    const updates = await readLog(net, `streamId=${networkId}&type=${updateType}`);
    expect(updates).toEqual(ofNetwork.filter((e) => e.type === updateType));
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(await readLog(net, `streamId=${zone}&type=${updateType}`)).toEqual([]);

    const correlated = await readLog(net, 'correlationId=filter-during');
    expect(correlated.every((e) => e.metadata.correlationId === 'filter-during')).toBe(true);
    // The hosts' reports of the change carry its correlation id too, recorded as the hosts' own acts.
    const byAdmin = correlated.filter((e) => e.metadata.actor === 'admin');
    expect(byAdmin.map((e) => e.streamId).sort()).toEqual([during.body.id, networkId].sort());
    for (const e of correlated.filter((e) => e.metadata.actor !== 'admin')) expect(e.metadata.actor).toBe(`host:${e.streamId}`);

    const window = await readLog(net, `actor=admin&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(window).toEqual(byAdmin);
    expect(await readLog(net, `correlationId=filter-during&streamId=${networkId}&type=${updateType}`)).toEqual(
      correlated.filter((e) => e.streamId === networkId),
    );
    expect(await readLog(net, `correlationId=filter-before&actor=admin&from=${encodeURIComponent(from)}`)).toEqual([]);
    expect(await readLog(net, `correlationId=filter-after&actor=admin&to=${encodeURIComponent(to)}`)).toHaveLength(0);
    expect(await readLog(net, `correlationId=filter-after&actor=admin&from=${encodeURIComponent(to)}`)).toHaveLength(1);

    const byHosts = await readLog(net, 'actor=host:host-1');
    expect(byHosts.length).toBeGreaterThan(0);
    expect(byHosts.every((e) => e.metadata.actor === 'host:host-1' && e.streamId === 'host-1')).toBe(true);
    const admins = await readLog(net, 'actor=admin');
    expect(admins.every((e) => e.metadata.actor === 'admin')).toBe(true);
    expect(admins).toEqual((await readLog(net)).filter((e) => e.metadata.actor === 'admin'));
  }, 30000);

  it('next walks the whole log page by page with no gap and no duplicate, filtered or not', async () => {
    for (const client of [net, compute]) {
      const first = await readLog(client);
      const paged = await readLog(client, '', { pageSize: 7 });
      const last = await readLog(client);
      // Global order is the commit order, which positions need not follow: no duplicate is the check.
      const positions = paged.map((e) => e.position);
      expect(new Set(positions).size).toBe(positions.length);
      // Host reports may land meanwhile: what was there before is a prefix, what is there after extends it.
      expect(paged.slice(0, first.length)).toEqual(first);
      expect(last.slice(0, paged.length)).toEqual(paged);
    }
    const ofNetwork = await readLog(net, `streamId=${networkId}`);
    expect(await readLog(net, `streamId=${networkId}`, { pageSize: 1 })).toEqual(ofNetwork);
    const page = (await net.get(`/events?streamId=${networkId}&limit=2`)).body;
    expect(page.next).toBe(ofNetwork[1].position);
  }, 30000);

  it('generates a correlation id when none is sent, echoes it, and carries it on the events the request caused', async () => {
    const zoneRes = await net.post('/transport-zones', { name: 'untraced' });
    const nmId = zoneRes.headers.get('x-correlation-id');
    expect(nmId).toMatch(UUID);
    expect((await readLog(net, `correlationId=${nmId}`)).map((e) => e.streamId)).toEqual([zoneRes.body.id]);

    const sw = await compute.post('/switches', { name: 'untraced', hostIds: ['host-2'] });
    const cmId = sw.headers.get('x-correlation-id');
    expect(cmId).toMatch(UUID);
    expect(cmId).not.toBe(nmId);
    const caused = await readLog(compute, `correlationId=${cmId}`);
    expect(caused.map((e) => [e.streamId, e.version])).toEqual([[sw.body.id, 1]]);
    expect((await task(sw.body.taskId)).state).toBe('succeeded');
    // Two requests without the header never share one.
    const other = await compute.get('/switches');
    expect(other.headers.get('x-correlation-id')).toMatch(UUID);
    expect(other.headers.get('x-correlation-id')).not.toBe(cmId);
  }, 30000);

  it('the compute manager: 401 without or with a wrong token (nothing recorded); /health, /docs, /metrics open', async () => {
    const before = await lastPosition(compute, 'actor=admin');
    for (const client of [api(cm.url, null), api(cm.url, 'wrong'), api(cm.url, `${ADMIN_TOKEN}x`)]) {
      for (const res of [
        await client.get('/switches'),
        await client.post('/dcns', { name: 'x', hostId: 'host-1' }),
        await client.post('/switches', { name: 'x', hostIds: [] }),
        await client.get('/events'),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      }
    }
    expect(await lastPosition(compute, 'actor=admin')).toBe(before);
    expect((await compute.get('/dcns')).body.map((d: { name: string }) => d.name)).toEqual(['vm-1']);

    const open = api(cm.url, null);
    const health = await open.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect((await open.get('/docs')).status).toBe(200);
    const metrics = await open.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('vnet_http_requests_total');
  });

  it('the compute manager rebuilds its read models from the log to the same answers', async () => {
    const live = (h: { hostId: string; logicalNetworks: string[] }) => ({ hostId: h.hostId, logicalNetworks: h.logicalNetworks });
    const read = async () => ({
      switches: (await compute.get('/switches')).body,
      one: (await compute.get(`/switches/${switchId}`)).body,
      dcns: (await compute.get('/dcns')).body,
      dcn: (await compute.get(`/dcns/${dcnId}`)).body,
      hosts: (await compute.get('/hosts')).body.map(live),
      networks: (await compute.get('/logical-networks')).body,
    });
    const before = await read();
    const events = (await readLog(compute)).length;
    const rebuilt = await compute.post('/admin/rebuild');
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toMatchObject({ rebuilt: true });
    // Host reports may be recorded while it runs: it replays at least what was there.
    expect(rebuilt.body.events).toBeGreaterThanOrEqual(events);
    expect(await read()).toEqual(before);
  }, 30000);

  it('/health answers 503 naming nats while NATS is down, and 200 once it is back', async () => {
    await stack.nats.stop();
    try {
      for (const service of [nm, cm]) {
        const down = await eventually(async () => {
          const res = await api(service.url, null).get('/health');
          return res.status === 503 ? res : null;
        }, 20000, `${service.name} /health 503`);
        expect(down.body).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE', status: 'error' });
        expect(down.body.message).toMatch(/\bnats\b/);
        expect(down.body.message).not.toMatch(/\bdatabase\b/);
        expect(down.body.details.nats.status).toBe('down');
        expect(down.body.details.postgresql.status).toBe('up');
      }
    } finally {
      await stack.restartNats();
    }
    for (const service of [nm, cm]) {
      await eventually(async () => (await api(service.url, null).get('/health')).status === 200, 30000, `${service.name} healthy again`);
    }
  }, 90000);
});
