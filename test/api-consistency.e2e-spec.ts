import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd as taskEndOn } from './harness/tasks.js';

/**
 * One rule per kind of bad request, the same on every service (CONTRACT §2): a body that is not
 * JSON is 415; a 400 says one thing per offending field; a host id the compute manager does not
 * know is refused at once with 404 naming it, wherever a request names one. Nothing is recorded.
 */
describe('API consistency across services', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let net: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  let switchId: string;

  const lastPosition = async (service: ReturnType<typeof api>) => {
    let after = 0;
    for (;;) {
      const page = (await service.get(`/events?limit=1000&after=${after}`)).body;
      if (page.events.length) after = page.events.at(-1).position;
      if (page.next === null) return after;
    }
  };
  const taskEnd = (id: string) => taskEndOn(compute, id, 20000);

  beforeAll(async () => {
    await stack.start();
    [nm, cm, ha] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager'),
      stack.startService('host-agent', { HOSTS: '2' }),
    ]);
    net = api(nm.url);
    compute = api(cm.url);
    hosts = api(ha.url);
    await eventually(async () => (await compute.get('/hosts')).body.length === 2, 20000, 'both hosts known');
    const created = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1'] });
    switchId = created.body.id;
    expect((await taskEnd(created.body.taskId)).state).toBe('succeeded');
  }, 90000);
  afterAll(() => stack.stop(), 30000);

  describe('a body that is not JSON is 415 UNSUPPORTED_MEDIA_TYPE, on every service', () => {
    it.each([
      ['network-manager', () => net, '/transport-zones'],
      ['compute-manager', () => compute, '/hosts'],
      ['host-agent', () => hosts, '/hosts'],
    ])('%s', async (_name, service, path) => {
      const client = service();
      const before = await client.get(path);
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json']) {
        const res = await client.raw('POST', path, type.includes('json') ? '{"name":"x","hostId":"h9"}' : 'name=x', {
          'content-type': type,
          'x-correlation-id': 'media-type-415',
        });
        expect(res.status).toBe(415);
        expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type', code: 'UNSUPPORTED_MEDIA_TYPE' });
        expect(res.body.message).toContain(type);
        expect(res.headers.get('x-correlation-id')).toBe('media-type-415');
      }
      // A body with no type at all is refused the same way.
      const untyped = await fetch(`${client === hosts ? ha.url : client === net ? nm.url : cm.url}${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer e2e-admin-token' },
        body: new Blob(['{"name":"x"}']),
      });
      expect(untyped.status).toBe(415);
      // Nothing was created or changed; only the hosts' heartbeats moved on meanwhile.
      const settled = (body: unknown) => JSON.parse(JSON.stringify(body), (key, value) => (key === 'lastSeenAt' ? undefined : value));
      expect(settled((await client.get(path)).body)).toEqual(settled(before.body));
    });

    it('a POST with no body needs no type, and JSON with a charset is JSON', async () => {
      expect((await fetch(`${nm.url}/admin/rebuild`, { method: 'POST', headers: { authorization: 'Bearer e2e-admin-token' } })).status).toBe(200);
      const zone = await net.raw('POST', '/transport-zones', '{"name":"utf8"}', { 'content-type': 'application/json; charset=utf-8' });
      expect(zone.status).toBe(201);
    });
  });

  describe('a 400 says one thing per offending field', () => {
    it('the type, not a length the value cannot have', async () => {
      const res = await net.post('/transport-zones', { name: 5 });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('name must be a string');
    });

    it('a message that several constraints share, once', async () => {
      const res = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: '7' });
      expect(res.status).toBe(400);
      expect(res.body.message.split('; ')).toHaveLength(1);
      expect(res.body.message).toMatch(/^vlanId /);
    });

    it('each of several bad fields once, and nothing else', async () => {
      const res = await compute.post('/switches', { name: 7, hostIds: 'host-1', mtu: 'big', colour: 'red' });
      expect(res.status).toBe(400);
      const lines: string[] = res.body.message.split('; ');
      expect(lines).toHaveLength(4);
      for (const field of ['name', 'hostIds', 'mtu', 'colour']) expect(lines.filter((l) => new RegExp(`\\b${field}\\b`).test(l))).toHaveLength(1);
    });
  });

  describe('an unknown host id is 404 naming it, wherever a request names one, and records nothing', () => {
    it('POST /switches names every unknown host and creates no switch, no task', async () => {
      const before = await lastPosition(compute);
      const switches = (await compute.get('/switches')).body.length;
      const res = await compute.post('/switches', { name: 'x', hostIds: ['host-1', 'zzz', 'host-99'] });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND', hostIds: ['zzz', 'host-99'] });
      expect(res.body.message).toMatch(/zzz/);
      expect(res.body.message).toMatch(/host-99/);
      expect((await compute.get('/switches')).body).toHaveLength(switches);
      expect(await lastPosition(compute)).toBe(before);
    });

    it('POST /switches/:id/hosts with an unknown host', async () => {
      const before = await lastPosition(compute);
      const res = await compute.post(`/switches/${switchId}/hosts`, { hostId: 'host-99' });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'NOT_FOUND', hostIds: ['host-99'] });
      expect((await compute.get(`/switches/${switchId}`)).body.hostIds).toEqual(['host-1']);
      expect(await lastPosition(compute)).toBe(before);
      // A known host still joins.
      const joined = await compute.post(`/switches/${switchId}/hosts`, { hostId: 'host-2' });
      expect(joined.status).toBe(202);
      expect((await taskEnd(joined.body.taskId)).state).toBe('succeeded');
    });

    it('POST /dcns on an unknown host, and a migration to one', async () => {
      const before = await lastPosition(compute);
      const dcnOnUnknown = await compute.post('/dcns', { name: 'vm', hostId: 'host-99' });
      expect(dcnOnUnknown.status).toBe(404);
      expect(dcnOnUnknown.body).toMatchObject({ code: 'NOT_FOUND', hostIds: ['host-99'] });
      expect(await lastPosition(compute)).toBe(before);

      const dcn = (await compute.post('/dcns', { name: 'vm', hostId: 'host-1' })).body;
      const pgId = (await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 })).body.portGroupId;
      expect((await compute.post(`/dcns/${dcn.id}/nics`, { portGroupId: pgId })).status).toBe(201);
      const beforeMigrate = await lastPosition(compute);
      const res = await compute.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'host-99' });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND', hostIds: ['host-99'] });
      expect(res.body.message).toBe('host host-99 not found');
      expect((await compute.get(`/dcns/${dcn.id}`)).body.hostId).toBe('host-1');
      expect(await lastPosition(compute)).toBe(beforeMigrate);
    });
  });
});
