import { jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type HostReport, type LogicalNetworkConstruct } from '@vnet/contracts';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';

// Longer than Jest's 5 s default, since a test waits for reports to be learned (10 s each, two or three in a row) (on a loaded machine too).
jest.setTimeout(40000);

const construct = (id: string, revision = 1, name = 'web'): LogicalNetworkConstruct => ({
  id,
  name,
  vni: 5000,
  mtu: 1500,
  transportZoneId: '7d1c5a0e-0b7e-4f7e-9c55-7a1b2c3d4e5f',
  revision,
  owner: 'network-manager',
});
const N1 = '0f8b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const N2 = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** The compute manager's hosts and learned networks, fed by a host played by the test through NATS. */
describe('compute manager: hosts and what they report', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let admin: ReturnType<typeof api>;
  let nc: NatsConnection;
  let seq = 0;

  const report = async (hostId: string, body: Partial<HostReport>, msgId = `${hostId}:boot:${++seq}`) => {
    const r: HostReport = { hostId, bootId: 'boot', seq, upserted: [], removed: [], sentAt: new Date().toISOString(), ...body };
    await jetstream(nc).publish(`hosts.${hostId}.report`, JSON.stringify(r), { msgID: msgId });
  };

  beforeAll(async () => {
    await stack.start();
    cm = await stack.startService('compute-manager');
    admin = api(cm.url);
    nc = await connect(await stack.natsOptions());
  }, 60000);
  afterAll(async () => {
    await nc.close();
    await stack.stop();
  }, 30000);

  it('adds hosts (201, then 200), validates the id, and shows them disconnected until they heartbeat', async () => {
    const added = await admin.post('/hosts', { hostId: 'esx-1' });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ hostId: 'esx-1', connectionState: 'disconnected', lastSeenAt: null, logicalNetworks: [] });
    expect((await admin.post('/hosts', { hostId: 'esx-1' })).status).toBe(200);
    const bad = await admin.post('/hosts', { hostId: 'esx 1/..' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/hostId/);
    expect((await admin.post('/hosts', { hostId: 'esx-2', extra: 1 })).status).toBe(400);
    expect((await admin.get('/hosts/nobody')).status).toBe(404);

    const reply = await nc.request('cm.heartbeat.esx-1', JSON.stringify({ hostId: 'esx-1', bootId: 'b', sentAt: new Date().toISOString() }));
    expect(reply.json<{ ok: boolean }>().ok).toBe(true);
    const connected = await admin.get('/hosts/esx-1');
    expect(connected.body.connectionState).toBe('connected');
    expect(Date.parse(connected.body.lastSeenAt)).toBeGreaterThan(Date.now() - 5000);
    await eventually(async () => (await admin.get('/hosts/esx-1')).body.connectionState === 'disconnected', 8000, 'disconnected after silence');
  }, 20000);

  it('learns logical networks only from host reports, and forgets what no host holds', async () => {
    await report('esx-1', { held: [{ id: N1, revision: 1 }], upserted: [construct(N1)] });
    await report('esx-2', { held: [{ id: N1, revision: 1 }, { id: N2, revision: 1 }], upserted: [construct(N1), construct(N2, 1, 'db')] });
    const both = await eventually(async () => {
      const list = (await admin.get('/logical-networks')).body as Array<{ id: string; hosts: string[] }>;
      return list.length === 2 && list.find((n) => n.id === N1)?.hosts.length === 2 ? list : null;
    }, 10000, 'networks learned from two hosts');
    expect(both.find((n) => n.id === N1)).toEqual({ ...construct(N1), hosts: ['esx-1', 'esx-2'] });
    expect((await admin.get('/hosts/esx-1')).body.logicalNetworks).toEqual([N1]);

    // A new revision from a host replaces the construct.
    await report('esx-2', { upserted: [construct(N2, 2, 'db-renamed')] });
    await eventually(async () => (await admin.get(`/logical-networks/${N2}`)).body.name === 'db-renamed', 10000, 'new revision');

    // A host that drops a network no longer holds it; with no host left, it is gone.
    await report('esx-2', { removed: [N2] });
    await eventually(async () => (await admin.get(`/logical-networks/${N2}`)).status === 404, 10000, 'network forgotten');
  }, 30000);

  it('a redelivered or replayed report changes nothing twice, and a malformed one is a dead letter', async () => {
    const before = (await admin.get('/events?limit=1000')).body.events.length;
    const replayed: HostReport = { hostId: 'esx-1', bootId: 'boot', seq: ++seq, upserted: [construct(N1, 3, 'web-3')], removed: [], sentAt: new Date().toISOString() };
    await jetstream(nc).publish('hosts.esx-1.report', JSON.stringify(replayed), { msgID: 'fixed-id-1' });
    await eventually(async () => (await admin.get(`/logical-networks/${N1}`)).body.revision === 3, 10000, 'revision 3');
    // Published again: once with the same message id (JetStream drops it), once with another (the report's seq says it is old).
    await jetstream(nc).publish('hosts.esx-1.report', JSON.stringify(replayed), { msgID: 'fixed-id-1' });
    await jetstream(nc).publish('hosts.esx-1.report', JSON.stringify(replayed), { msgID: 'fixed-id-1-again' });
    await jetstream(nc).publish('hosts.esx-1.report', '{"hostId": "esx-1"', { msgID: 'garbage-1' });
    await jetstream(nc).publish('hosts.esx-1.report', JSON.stringify({ hostId: 'esx-1', seq: 'x' }), { msgID: 'garbage-2' });
    await report('esx-1', { upserted: [construct(N1, 4, 'web-4')] });
    await eventually(async () => (await admin.get(`/logical-networks/${N1}`)).body.revision === 4, 10000, 'consumer went on after poison');
    const after = (await admin.get('/events?limit=1000')).body.events.length;
    expect(after - before).toBe(2);
  }, 30000);

  it('logical networks are read-only here: 405', async () => {
    for (const res of [
      await admin.post('/logical-networks', { name: 'x' }),
      await admin.patch(`/logical-networks/${N1}`, { name: 'x' }),
      await admin.put(`/logical-networks/${N1}`, { name: 'x' }),
      await admin.delete(`/logical-networks/${N1}`),
    ]) {
      expect(res.status).toBe(405);
      expect(res.body.statusCode).toBe(405);
    }
  });
});
