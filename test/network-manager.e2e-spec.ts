import { jest } from '@jest/globals';
import { api, SuiteStack, type RunningService } from './harness/stack.js';

// Longer than Jest's 5 s default, since a test makes a few dozen HTTP calls, each a write to PostgreSQL (on a loaded machine too).
jest.setTimeout(20000);

/** The network manager's API (CONTRACT §3) on the real service, NATS and PostgreSQL. */
describe('network manager', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let admin: ReturnType<typeof api>;
  let zone: string;

  beforeAll(async () => {
    await stack.start();
    nm = await stack.startService('network-manager');
    admin = api(nm.url);
    zone = (await admin.post('/transport-zones', { name: 'overlay' })).body.id;
  }, 60000);
  afterAll(() => stack.stop(), 30000);

  const eventCount = async () => {
    let n = 0;
    let after = 0;
    for (;;) {
      const page = (await admin.get(`/events?limit=1000&after=${after}`)).body;
      n += page.events.length;
      if (page.next === null) return n;
      after = page.next;
    }
  };

  it('creates a network with a pool VNI, default MTU and revision 1, and lists it with its realization', async () => {
    const created = await admin.post('/logical-networks', { name: 'web', transportZoneId: zone });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'web',
      vni: expect.any(Number),
      transportZoneId: zone,
      mtu: 1500,
      revision: 1,
    });
    const got = await admin.get(`/logical-networks/${created.body.id}`);
    expect(got.body).toEqual({ ...created.body, realizedOn: [], ports: [] });
    expect((await admin.get('/logical-networks')).body.map((n: { id: string }) => n.id)).toContain(created.body.id);
  });

  it('refuses a VNI in use with 409 VNI_IN_USE, and concurrent creates never fail for their VNI', async () => {
    const a = await admin.post('/logical-networks', { name: 'a', transportZoneId: zone, vni: 7777 });
    expect(a.status).toBe(201);
    const dup = await admin.post('/logical-networks', { name: 'b', transportZoneId: zone, vni: 7777 });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('VNI_IN_USE');

    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => admin.post('/logical-networks', { name: `c${i}`, transportZoneId: zone })));
    expect(many.map((r) => r.status)).toEqual(Array(20).fill(201));
    const vnis = (await admin.get('/logical-networks')).body.map((n: { vni: number }) => n.vni);
    expect(new Set(vnis).size).toBe(vnis.length);
  });

  it('PATCH bumps the revision, a no-op keeps it, and a stale If-Match is 409 VERSION_CONFLICT', async () => {
    const n = (await admin.post('/logical-networks', { name: 'p', transportZoneId: zone })).body;
    const changed = await admin.patch(`/logical-networks/${n.id}`, { mtu: 9000 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ mtu: 9000, revision: 2 });
    const same = await admin.patch(`/logical-networks/${n.id}`, { mtu: 9000 });
    expect(same.status).toBe(200);
    expect(same.body.revision).toBe(2);
    const stale = await admin.patch(`/logical-networks/${n.id}`, { name: 'q' }, { 'If-Match': '1' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    const fresh = await admin.patch(`/logical-networks/${n.id}`, { name: 'q' }, { 'If-Match': '2' });
    expect(fresh.body).toMatchObject({ name: 'q', revision: 3 });
    // Concurrent PATCHes without If-Match are all applied.
    await Promise.all(Array.from({ length: 8 }, (_, i) => admin.patch(`/logical-networks/${n.id}`, { mtu: 1000 + i })));
    expect((await admin.get(`/logical-networks/${n.id}`)).body.revision).toBe(11);
  });

  it('deletes a network (204, then 404); a zone with networks is ZONE_IN_USE, an empty one goes', async () => {
    const z = (await admin.post('/transport-zones', { name: 'temp' })).body.id;
    const n = (await admin.post('/logical-networks', { name: 'x', transportZoneId: z })).body;
    const inUse = await admin.delete(`/transport-zones/${z}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe('ZONE_IN_USE');
    expect((await admin.delete(`/logical-networks/${n.id}`)).status).toBe(204);
    expect((await admin.get(`/logical-networks/${n.id}`)).status).toBe(404);
    expect((await admin.delete(`/transport-zones/${z}`)).status).toBe(204);
    expect((await admin.get('/transport-zones')).body.map((x: { id: string }) => x.id)).not.toContain(z);
  });

  it('transport nodes: 201 new, 200 known, zones added never replaced, networks listed', async () => {
    const z2 = (await admin.post('/transport-zones', { name: 'second' })).body.id;
    const first = await admin.post('/transport-nodes', { hostId: 'tn-1', transportZoneIds: [zone] });
    expect(first.status).toBe(201);
    expect(first.body.transportZoneIds).toEqual([zone]);
    expect(first.body.networks.length).toBeGreaterThan(0);
    expect(first.body.networks[0]).toEqual({ id: expect.any(String), revision: expect.any(Number), realized: false });
    const again = await admin.post('/transport-nodes', { hostId: 'tn-1', transportZoneIds: [z2] });
    expect(again.status).toBe(200);
    expect(again.body.transportZoneIds).toEqual([zone, z2]);
    expect((await admin.delete(`/transport-nodes/tn-1/zones/${z2}`)).status).toBe(204);
    expect((await admin.get('/transport-nodes/tn-1')).body.transportZoneIds).toEqual([zone]);
    expect((await admin.get('/transport-nodes')).body.map((n: { hostId: string }) => n.hostId)).toEqual(['tn-1']);
    expect((await admin.delete(`/transport-nodes/tn-1/zones/${z2}`)).status).toBe(404);
    expect((await admin.get('/transport-nodes/nobody')).status).toBe(404);
  });

  it('404 for an unknown zone or network', async () => {
    const unknownZone = '9a0b7c1e-1111-4b2a-9c3d-4e5f60718293';
    const n = await admin.post('/logical-networks', { name: 'x', transportZoneId: unknownZone });
    expect(n.status).toBe(404);
    expect((await admin.post('/transport-nodes', { hostId: 'h', transportZoneIds: [unknownZone] })).status).toBe(404);
    expect((await admin.patch(`/logical-networks/${unknownZone}`, { mtu: 1500 })).status).toBe(404);
    expect((await admin.delete(`/logical-networks/${unknownZone}`)).status).toBe(404);
  });

  it('bad input on every endpoint: 400 naming the field, nothing recorded', async () => {
    const network = (await admin.post('/logical-networks', { name: 'kept', transportZoneId: zone })).body.id;
    const before = await eventCount();
    const cases: Array<[Promise<{ status: number; body: { message: string } }>, RegExp]> = [
      [admin.post('/transport-zones', { name: '' }), /name/],
      [admin.post('/logical-networks', { name: 'x' }), /transportZoneId/],
      [admin.post('/logical-networks', { name: 'x', transportZoneId: 'nope' }), /transportZoneId/],
      [admin.post('/logical-networks', { name: 'x', transportZoneId: zone, vni: 0 }), /vni/],
      [admin.post('/logical-networks', { name: 'x', transportZoneId: zone, vni: 16777216 }), /vni/],
      [admin.post('/logical-networks', { name: 'x', transportZoneId: zone, mtu: 575 }), /mtu/],
      [admin.post('/logical-networks', { name: 'x', transportZoneId: zone, mtu: 9217 }), /mtu/],
      [admin.post('/logical-networks', { name: 'x', transportZoneId: zone, owner: 'me' }), /owner/],
      [admin.patch(`/logical-networks/${zone}`, { vni: 5 }), /vni/],
      [admin.patch(`/logical-networks/${zone}`, { mtu: 'big' }), /mtu/],
      // An optional field may be left out, not set to null.
      [admin.patch(`/logical-networks/${network}`, { name: null }), /name must be a string/],
      [admin.patch(`/logical-networks/${network}`, { mtu: null }), /mtu/],
      [admin.post('/transport-nodes', { hostId: 'bad host!', transportZoneIds: [zone] }), /hostId/],
      [admin.post('/transport-nodes', { hostId: 'h1', transportZoneIds: 'z' }), /transportZoneIds/],
      [admin.post('/transport-nodes', { hostId: 'h1', transportZoneIds: ['not-a-uuid'] }), /transportZoneIds/],
      [admin.post('/transport-nodes', { hostId: 'h'.repeat(65), transportZoneIds: [zone] }), /hostId/],
    ];
    for (const [call, field] of cases) {
      const res = await call;
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(field);
    }
    const patchBadIfMatch = await admin.patch(`/logical-networks/${zone}`, { mtu: 1500 }, { 'If-Match': 'abc' });
    expect(patchBadIfMatch.status).toBe(400);
    expect(await eventCount()).toBe(before);
  });
});
