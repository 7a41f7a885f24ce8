import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastPosition, readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Waits for hosts, tasks (20 s at most each) and for a token file's change to be picked up.
jest.setTimeout(60000);

const ALICE = 'alice-admin-token-1';
const VICTOR = 'victor-viewer-token-1';
const WALTER = 'walter-viewer-token-1';

type Client = ReturnType<typeof api>;
interface DocumentedWrite {
  method: 'post' | 'put' | 'patch' | 'delete';
  path: string;
}

/** Every write operation a service documents, its path parameters filled with ids that exist where they can. */
async function writesOf(service: RunningService, ids: Record<string, string>): Promise<DocumentedWrite[]> {
  const doc = (await (await fetch(`${service.url}/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const writes: DocumentedWrite[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      if (!item[method]) continue;
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? randomUUID());
      writes.push({ method, path });
    }
  }
  return writes;
}

/**
 * Named credentials (CONTRACT §2, `ADMIN_TOKENS_FILE`): a viewer reads and is refused every write of
 * every service with nothing recorded, a named admin's writes are recorded under its name, and the
 * file is followed while the services run.
 */
describe('named credentials of ADMIN_TOKENS_FILE on all three services', () => {
  const stack = new SuiteStack();
  let tokensFile: string;
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  const services = () => [nm, cm, ha];
  let net: Client;
  let compute: Client;
  let agent: Client;
  const writeTokens = (entries: unknown) => writeFileSync(tokensFile, JSON.stringify(entries, null, 2));
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await stack.start();
    tokensFile = join(stack.dir, 'tokens.json');
    writeTokens([
      { name: 'alice', token: ALICE, role: 'admin' },
      { name: 'victor', token: VICTOR, role: 'viewer' },
    ]);
    const env = { ADMIN_TOKENS_FILE: tokensFile };
    [nm, cm, ha] = await Promise.all([
      stack.startService('network-manager', env),
      stack.startService('compute-manager', env),
      stack.startService('host-agent', { ...env, HOSTS: '2' }),
    ]);
    net = api(nm.url);
    compute = api(cm.url);
    agent = api(ha.url);
    await eventually(
      async () => (await compute.get('/hosts')).body.length === 2,
      20000,
      'both hosts known to the compute manager',
    );
  }, 120000);
  afterAll(() => stack.stop(), 60000);

  it("records a named admin's writes with its name as the actor", async () => {
    const alice = { net: api(nm.url, ALICE), compute: api(cm.url, ALICE), agent: api(ha.url, ALICE) };
    const zone = await alice.net.post('/transport-zones', { name: 'overlay' }, { 'X-Correlation-Id': 'alice-zone' });
    expect(zone.status).toBe(201);
    ids.id = zone.body.id;
    const network = await alice.net.post('/logical-networks', { name: 'web', transportZoneId: zone.body.id });
    expect(network.status).toBe(201);
    ids.networkId = network.body.id;
    const sw = await alice.compute.post(
      '/switches',
      { name: 'dvs', hostIds: ['host-1', 'host-2'] },
      { 'X-Correlation-Id': 'alice-switch' },
    );
    expect(sw.status).toBe(201);
    expect((await taskEnd(compute, sw.body.taskId)).state).toBe('succeeded');
    const pg = await alice.compute.post(`/switches/${sw.body.id}/port-groups`, { name: 'web', vlanId: 10 });
    expect(pg.status).toBe(202);
    expect((await taskEnd(compute, pg.body.taskId)).state).toBe('succeeded');
    Object.assign(ids, { switchId: sw.body.id, pgId: pg.body.portGroupId });
    // The host agent keeps no log: its write is simply accepted for a named admin.
    expect((await alice.agent.post('/hosts', { hostId: 'host-3' })).status).toBe(201);

    const zoneEvents = await readLog(net, 'correlationId=alice-zone');
    expect(zoneEvents.map((e) => [e.type, e.metadata.actor])).toEqual([['TransportZoneCreated', 'alice']]);
    expect((await readLog(net, `streamId=${network.body.id}`)).map((e) => e.metadata.actor)).toEqual(['alice']);
    const switchEvents = await readLog(compute, `streamId=${sw.body.id}`);
    expect(switchEvents.map((e) => e.metadata.actor)).toEqual(['alice', 'alice']);
    expect((await readLog(compute, 'correlationId=alice-switch'))[0].metadata.actor).toBe('alice');
    // The actor filter finds them, and ADMIN_TOKEN's writes stay `admin`'s.
    expect((await readLog(compute, 'actor=alice')).map((e) => e.streamId)).toEqual([sw.body.id, sw.body.id]);
    const dcn = await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' });
    ids.dcnId = dcn.body.id;
    expect((await readLog(compute, `streamId=${dcn.body.id}`)).map((e) => e.metadata.actor)).toEqual(['admin']);
  });

  it('lets a viewer read everything and refuses each of its writes on every service with 403, recording nothing', async () => {
    const viewer = { net: api(nm.url, VICTOR), compute: api(cm.url, VICTOR), agent: api(ha.url, VICTOR) };
    expect((await viewer.net.get('/logical-networks')).body.map((n: { id: string }) => n.id)).toEqual([ids.networkId]);
    expect((await viewer.compute.get(`/switches/${ids.switchId}`)).status).toBe(200);
    expect((await viewer.compute.get('/events?limit=5')).status).toBe(200);
    expect((await viewer.agent.get('/hosts/host-1')).status).toBe(200);

    const before = { net: await lastPosition(net), compute: await lastPosition(compute) };
    const hostsBefore = await Promise.all(['host-1', 'host-2', 'host-3'].map(async (h) => (await agent.get(`/hosts/${h}`)).body));
    // Ids that exist where a route names them (an admin's write there would do something).
    const known = {
      ...ids,
      hostId: 'host-1',
      zoneId: ids.id,
      entityType: 'switch',
      entityId: ids.switchId,
      namespace: 'com.example.tags',
      key: 'owner',
    };
    const clients: Array<[RunningService, Client]> = [
      [nm, viewer.net],
      [cm, viewer.compute],
      [ha, viewer.agent],
    ];
    let tried = 0;
    for (const [service, client] of clients) {
      const writes = await writesOf(service, known);
      expect(writes.length).toBeGreaterThan(2);
      for (const { method, path } of writes) {
        const res = method === 'delete' ? await client.delete(path) : await client[method](path, {});
        expect({ service: service.name, method, path, status: res.status, code: res.body?.code }).toEqual({
          service: service.name,
          method,
          path,
          status: 403,
          code: 'FORBIDDEN',
        });
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(20);
    // A write with a valid body is refused the same way, and says why.
    const real = await viewer.compute.patch(`/switches/${ids.switchId}/port-groups/${ids.pgId}`, { vlanId: 20 });
    expect(real.status).toBe(403);
    expect(real.body.message).toMatch(/victor is a viewer/);

    expect(await lastPosition(net)).toBe(before.net);
    expect(await lastPosition(compute)).toBe(before.compute);
    const hostsAfter = await Promise.all(['host-1', 'host-2', 'host-3'].map(async (h) => (await agent.get(`/hosts/${h}`)).body));
    // managementConnected is liveness, not state.
    const state = (views: Array<Record<string, unknown>>) => views.map(({ managementConnected: _m, ...rest }) => rest);
    expect(state(hostsAfter)).toEqual(state(hostsBefore));
    expect((await agent.get('/hosts')).body.map((h: { hostId: string }) => h.hostId)).toEqual(['host-1', 'host-2', 'host-3']);
    expect((await compute.get(`/switches/${ids.switchId}`)).body.portGroups[0].vlanId).toBe(10);
  });

  it('answers 401 for an unknown token, as for none', async () => {
    for (const service of services()) {
      const path = service === ha ? '/hosts' : '/events?limit=1';
      expect((await api(service.url, 'not-a-known-token').get(path)).status).toBe(401);
      expect((await api(service.url, null).get(path)).status).toBe(401);
    }
  });

  it('follows the file while running: a new viewer works, a removed one gets 401, a broken edit changes nothing', async () => {
    writeTokens([
      { name: 'alice', token: ALICE, role: 'admin' },
      { name: 'walter', token: WALTER, role: 'viewer' },
    ]);
    const readPath = (s: RunningService) => (s === ha ? '/hosts' : '/events?limit=1');
    const aWrite = (s: RunningService): [string, object] =>
      s === nm
        ? ['/transport-zones', { name: 'x' }]
        : s === cm
          ? ['/switches', { name: 'x', hostIds: ['host-1'] }]
          : ['/hosts', { hostId: 'host-9' }];
    for (const service of services()) {
      await eventually(
        async () => (await api(service.url, WALTER).get(readPath(service))).status === 200,
        15000,
        `${service.name} to take walter`,
      );
      await eventually(
        async () => (await api(service.url, VICTOR).get(readPath(service))).status === 401,
        15000,
        `${service.name} to drop victor`,
      );
      const [path, body] = aWrite(service);
      expect((await api(service.url, WALTER).post(path, body)).status).toBe(403);
    }
    const before = { net: await lastPosition(net), compute: await lastPosition(compute) };
    writeFileSync(tokensFile, '[{"name": "walter", "token": ');
    for (const service of services()) {
      await eventually(
        () => Promise.resolve(service.logs().includes('credentials file refused')),
        15000,
        `${service.name} to refuse the broken file`,
      );
      expect(service.logs()).toContain(tokensFile);
      expect((await api(service.url, WALTER).get(readPath(service))).status).toBe(200);
      expect((await api(service.url, ALICE).get(readPath(service))).status).toBe(200);
    }
    expect(await lastPosition(net)).toBe(before.net);
    expect(await lastPosition(compute)).toBe(before.compute);
  });

  it('refuses to start on a bad file, naming the file and the entry', async () => {
    const bad = join(stack.dir, 'bad-tokens.json');
    writeFileSync(
      bad,
      JSON.stringify([
        { name: 'alice', token: ALICE, role: 'admin' },
        { name: 'eve', token: 'eve-token-1', role: 'root' },
      ]),
    );
    const start = stack.startService('network-manager', { ADMIN_TOKENS_FILE: bad });
    await expect(start).rejects.toThrow(/exited/);
    const message = await start.then(
      () => '',
      (err: Error) => err.message,
    );
    expect(message).toContain(`ADMIN_TOKENS_FILE ${bad}: entry 1: `);
    expect(message).toMatch(/eve\\?": role must be \\?"admin\\?" or \\?"viewer/);
  });
});
