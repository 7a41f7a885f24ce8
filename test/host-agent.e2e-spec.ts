import { jest } from '@jest/globals';
import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { randomUUID } from 'node:crypto';
import { HostAgentFixture } from '../apps/host-agent/test/host-agent.fixture.js';
import { eventually } from './harness/stack.js';

// Longer than Jest's 5 s default, since a test waits for hosts to hold constructs and for reports (10 s each), several in a row (on a loaded machine too).
jest.setTimeout(40000);

/**
 * The host agent as a process against a NATS of its own; the suite writes the desired state as the
 * network manager would, and reads the reports as the managers would.
 */
describe('host agent: hosts, constructs and reports', () => {
  const f = new HostAgentFixture();
  beforeAll(() => f.start({ HOSTS: '3' }), 60000);
  afterAll(() => f.stop(), 30000);

  it('serves host-1…host-N, oldest first, each with its host view', async () => {
    const list = await f.admin().get('/hosts');
    expect(list.status).toBe(200);
    expect(list.body.map((h: { hostId: string }) => h.hostId)).toEqual(['host-1', 'host-2', 'host-3']);
    const one = await f.admin().get('/hosts/host-1');
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      hostId: 'host-1',
      managementConnected: false,
      computeSwitches: [],
      networkSwitch: { logicalNetworks: [], ports: [] },
      uplink: { allowedVlans: [] },
      pendingRollback: null,
    });
    const unknown = await f.admin().get('/hosts/host-99');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect((await f.admin().get('/hosts/host-99/logical-networks')).status).toBe(404);
    expect((await f.admin(null).get('/hosts')).status).toBe(401);
  });

  it('adds a host: 201 when new, 200 when known, 400 naming hostId for a bad one or an unknown field', async () => {
    const created = await f.admin().post('/hosts', { hostId: 'edge-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ hostId: 'edge-1', networkSwitch: { logicalNetworks: [] }, pendingRollback: null });
    const again = await f.admin().post('/hosts', { hostId: 'edge-1' });
    expect(again.status).toBe(200);
    expect(again.body.hostId).toBe('edge-1');
    for (const body of [{ hostId: 'bad.id' }, { hostId: 'x'.repeat(65) }, { hostId: 7 }, {}]) {
      const bad = await f.admin().post('/hosts', body);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      expect(bad.body.message).toMatch(/\bhostId\b/);
    }
    const unknownField = await f.admin().post('/hosts', { hostId: 'edge-2', colour: 'red' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toMatch(/\bcolour\b/);
    expect((await f.admin().get('/hosts')).body.map((h: { hostId: string }) => h.hostId)).toEqual([
      'host-1',
      'host-2',
      'host-3',
      'edge-1',
    ]);
  });

  it('puts each construct on exactly the hosts of its zone; a higher revision replaces, a lower one does not, a delete removes', async () => {
    const zoneA = randomUUID();
    const zoneB = randomUUID();
    await Promise.all([f.putNode('host-1', [zoneA]), f.putNode('host-2', [zoneA]), f.putNode('host-3', [zoneB])]);
    const a1 = f.construct(zoneA);
    const a2 = f.construct(zoneA);
    const b1 = f.construct(zoneB);
    await Promise.all([f.putNetwork(a1), f.putNetwork(a2), f.putNetwork(b1)]);
    await f.holds(
      'host-1',
      [
        [a1.id, 1],
        [a2.id, 1],
      ],
      'zone A',
    );
    await f.holds(
      'host-2',
      [
        [a1.id, 1],
        [a2.id, 1],
      ],
      'zone A',
    );
    await f.holds('host-3', [[b1.id, 1]], 'zone B');
    expect(await f.held('edge-1')).toEqual([]);

    await f.putNetwork({ ...a1, revision: 3, name: 'renamed' });
    await f.holds(
      'host-1',
      [
        [a1.id, 3],
        [a2.id, 1],
      ],
      'a1 at revision 3',
    );
    expect(
      (await f.admin().get(`/hosts/host-2/logical-networks`)).body.find((c: LogicalNetworkConstruct) => c.id === a1.id),
    ).toEqual({
      ...a1,
      revision: 3,
      name: 'renamed',
    });
    await f.putNetwork({ ...a1, revision: 2, name: 'stale' });
    await f.deleteNetwork(zoneA, a2.id);
    await f.holds('host-2', [[a1.id, 3]], 'a2 deleted');
    expect((await f.admin().get('/hosts/host-1/logical-networks')).body).toEqual([{ ...a1, revision: 3, name: 'renamed' }]);
    expect((await f.admin().get('/hosts/host-1')).body.networkSwitch.logicalNetworks).toEqual([
      { ...a1, revision: 3, name: 'renamed' },
    ]);
  });

  it('drops a zone constructs when the host leaves it, and takes a zone it joins', async () => {
    const zone = randomUUID();
    const other = randomUUID();
    const n = f.construct(zone);
    const m = f.construct(other);
    await Promise.all([f.putNetwork(n), f.putNetwork(m)]);
    await f.putNode('edge-1', [zone]);
    await f.holds('edge-1', [[n.id, 1]], 'its zone');
    await f.putNode('edge-1', [other]);
    await f.holds('edge-1', [[m.id, 1]], 'the other zone only');
    await f.nodes.delete('edge-1');
    await f.holds('edge-1', [], 'nothing once it is no transport node');
  });

  it('reports on HOST_REPORTS: a full report at boot, then deltas, each with <hostId>:<bootId>:<seq> as message id', async () => {
    const zone = randomUUID();
    const n = f.construct(zone);
    await f.putNode('host-3', [zone]);
    await f.putNetwork(n);
    await f.holds('host-3', [[n.id, 1]], 'the new zone');
    // Changes of one tick are coalesced: the upsert must be out before the delete comes.
    await eventually(
      async () => f.reportsOf('host-3').some((r) => r.report.upserted.some((c) => c.id === n.id)),
      10000,
      'a report of the upsert',
    );
    await f.deleteNetwork(zone, n.id);
    await eventually(
      async () => f.reportsOf('host-3').some((r) => r.report.removed.includes(n.id)),
      10000,
      'a report of the removal',
    );
    const mine = f.reportsOf('host-3');
    const first = mine[0].report;
    expect(first.seq).toBe(1);
    expect(Array.isArray(first.held)).toBe(true);
    for (const { msgId, report } of mine) expect(msgId).toBe(`host-3:${report.bootId}:${report.seq}`);
    expect(mine.map((r) => r.report.seq)).toEqual(mine.map((_, i) => i + 1));
    const upserted = mine.find((r) => r.report.upserted.some((c) => c.id === n.id));
    expect(upserted?.report.upserted.find((c) => c.id === n.id)).toEqual(n);
    expect(upserted?.report.held).toBeUndefined();
    expect(mine.every((r) => !Number.isNaN(Date.parse(r.report.sentAt)))).toBe(true);
  });

  it('answers 405 READ_ONLY_CONSTRUCT to any write to a construct', async () => {
    const id = randomUUID();
    for (const [method, path] of [
      ['PUT', `/hosts/host-1/logical-networks/${id}`],
      ['PATCH', `/hosts/host-1/logical-networks/${id}`],
      ['DELETE', `/hosts/host-1/logical-networks/${id}`],
      ['POST', `/hosts/host-1/logical-networks/${id}`],
      ['POST', '/hosts/host-1/logical-networks'],
    ] as const) {
      const res = await f.admin().raw(method, path, method === 'DELETE' ? undefined : { name: 'mine now' });
      expect(res.status).toBe(405);
      expect(res.body).toMatchObject({ statusCode: 405, error: 'Method Not Allowed', code: 'READ_ONLY_CONSTRUCT' });
      expect(res.body.message).toMatch(/belongs to the network manager/);
    }
  });

  it('validates the uplink: 400 naming allowedVlans, 200 with the VLANs otherwise', async () => {
    for (const body of [{ allowedVlans: [4095] }, { allowedVlans: [-1] }, { allowedVlans: ['10'] }, { allowedVlans: 5 }, {}]) {
      const bad = await f.admin().put('/hosts/host-1/uplink', body);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/\ballowedVlans\b/);
    }
    const unknownField = await f.admin().put('/hosts/host-1/uplink', { allowedVlans: [], speed: 10 });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toMatch(/\bspeed\b/);
    expect((await f.admin().put('/hosts/host-99/uplink', { allowedVlans: [] })).status).toBe(404);
    const ok = await f.admin().put('/hosts/host-1/uplink', { allowedVlans: [0, 100] });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ allowedVlans: [0, 100] });
    expect((await f.admin().get('/hosts/host-1')).body.uplink).toEqual({ allowedVlans: [0, 100] });
  });

  it('answers /health with the host stores checked, /docs and /metrics, with no token', async () => {
    const open = f.admin(null);
    const health = await open.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.details.hostStores).toMatchObject({ status: 'up', hosts: 4 });
    expect((await open.get('/docs')).status).toBe(200);
    const metrics = (await open.get('/metrics')).body as string;
    expect(metrics).toMatch(/^vnet_host_agent_hosts 4$/m);
    expect(metrics).toMatch(/^vnet_host_agent_stores_failing 0$/m);
    expect(metrics).toMatch(/^vnet_host_agent_reports_published_total \d+$/m);
  });
});
