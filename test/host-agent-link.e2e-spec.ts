import { jest } from '@jest/globals';
import { HEARTBEAT_SUBJECTS } from '@vnet/contracts';
import { randomUUID } from 'node:crypto';
import { HostAgentFixture, sleep } from '../apps/host-agent/test/host-agent.fixture.js';
import { eventually } from './harness/stack.js';

// Longer than Jest's 5 s default, since a test waits for hosts to converge and reports (10 s each), several in a row (on a loaded machine too).
jest.setTimeout(40000);

/**
 * What a host exchanges through its management link, and what survives restarts of NATS and of
 * the host agent itself.
 */
describe('host agent: management link, heartbeats and restarts', () => {
  const f = new HostAgentFixture();
  beforeAll(() => f.start({ HOSTS: '3' }), 60000);
  afterAll(() => f.stop(), 30000);

  it('exchanges nothing through a cut link, then holds the latest revision and reports in full once traffic returns', async () => {
    const zone = randomUUID();
    const n = f.construct(zone);
    await Promise.all([f.putNode('host-1', [zone]), f.putNode('host-2', [zone])]);
    await f.putNetwork(n);
    await f.holds('host-2', [[n.id, 1]], 'the network');

    expect((await f.admin().put('/hosts/host-2/uplink', { allowedVlans: [100] })).status).toBe(200);
    const before = f.reportsOf('host-2').length;
    const ofRevision2 = () => f.reportsOf('host-2').filter((r) => r.report.upserted.some((c) => c.id === n.id && c.revision === 2) || r.report.held?.some((h) => h.id === n.id && h.revision === 2));
    await f.putNetwork({ ...n, revision: 2 });
    // The same process applied it for host-1: the change reached the agent, host-2's link kept it out.
    await f.holds('host-1', [[n.id, 2]], 'revision 2 on a connected host');
    expect(await f.held('host-2')).toEqual([[n.id, 1]]);
    expect(ofRevision2()).toEqual([]);

    expect((await f.admin().put('/hosts/host-2/uplink', { allowedVlans: [] })).status).toBe(200);
    await f.holds('host-2', [[n.id, 2]], 'revision 2 after the link returned');
    await eventually(
      async () =>
        f
          .reportsOf('host-2')
          .slice(before)
          .some((r) => r.report.held?.some((h) => h.id === n.id && h.revision === 2)),
      10000,
      'a full report holding revision 2',
    );
  });

  it('answers heartbeats only through a working link: managementConnected follows the round trips', async () => {
    const seen = new Set<string>();
    const responder = f.nc.subscribe(HEARTBEAT_SUBJECTS, {
      callback: (_err, msg) => {
        const hostId = msg.subject.split('.').pop()!;
        seen.add(hostId);
        msg.respond(JSON.stringify({ ok: true, at: new Date().toISOString() }));
      },
    });
    try {
      await eventually(
        async () => (await f.admin().get('/hosts/host-3')).body.managementConnected === true,
        5000,
        'host-3 connected',
      );
      expect((await f.admin().put('/hosts/host-3/uplink', { allowedVlans: [7] })).status).toBe(200);
      seen.clear();
      await eventually(
        async () => (await f.admin().get('/hosts/host-3')).body.managementConnected === false,
        6000,
        'host-3 disconnected',
      );
      expect(seen.has('host-3')).toBe(false);
      expect(seen.has('host-1')).toBe(true);
      expect((await f.admin().get('/hosts/host-1')).body.managementConnected).toBe(true);
      expect((await f.admin().put('/hosts/host-3/uplink', { allowedVlans: [] })).status).toBe(200);
      await eventually(
        async () => (await f.admin().get('/hosts/host-3')).body.managementConnected === true,
        5000,
        'host-3 connected again',
      );
    } finally {
      responder.unsubscribe();
    }
  }, 20000);

  it('goes on across a NATS restart: watches resume, reads and reports are retried', async () => {
    const zone = randomUUID();
    const n = f.construct(zone);
    await Promise.all([f.putNode('host-1', [zone]), f.putNode('host-2', [zone])]);
    await f.putNetwork(n);
    await f.holds('host-1', [[n.id, 1]], 'the network');
    await f.holds('host-2', [[n.id, 1]], 'the network');
    await f.admin().put('/hosts/host-2/uplink', { allowedVlans: [5] });

    await f.stack.nats.stop();
    // Traffic returns while NATS is away: the host's read fails, and is tried again.
    expect((await f.admin().put('/hosts/host-2/uplink', { allowedVlans: [] })).status).toBe(200);
    await f.stack.restartNats();
    await eventually(() => f.putNetwork({ ...n, revision: 2 }).then(() => true), 10000, 'a write once NATS is back');

    await f.holds('host-1', [[n.id, 2]], 'revision 2 through the resumed watch');
    await f.holds('host-2', [[n.id, 2]], 'revision 2 after its retried read');
    await eventually(
      async () =>
        (await f.streamReports()).some(
          (r) => r.report.hostId === 'host-1' && r.report.upserted.some((c) => c.id === n.id && c.revision === 2),
        ),
      10000,
      'a report of revision 2 in the stream',
    );
  }, 30000);

  it('serves from its store after a restart, before hearing from any manager, and converges when it does', async () => {
    expect((await f.admin().post('/hosts', { hostId: 'edge-1' })).status).toBe(201);
    const zone = randomUUID();
    const keep = f.construct(zone);
    const drop = f.construct(zone);
    await f.putNode('edge-1', [zone]);
    await Promise.all([f.putNetwork(keep), f.putNetwork(drop)]);
    await f.holds(
      'edge-1',
      [
        [keep.id, 1],
        [drop.id, 1],
      ],
      'both networks',
    );
    // A cut link: the restarted host cannot hear from any manager.
    await f.admin().put('/hosts/edge-1/uplink', { allowedVlans: [9] });
    await f.restartAgent({ HOSTS: '3' }, () => f.deleteNetwork(zone, drop.id));
    expect((await f.admin().get('/hosts')).body.map((h: { hostId: string }) => h.hostId)).toEqual([
      'host-1',
      'host-2',
      'host-3',
      'edge-1',
    ]);
    const view = (await f.admin().get('/hosts/edge-1')).body;
    expect(view.uplink).toEqual({ allowedVlans: [9] });
    expect(view.networkSwitch.logicalNetworks).toEqual([keep, drop]);
    await sleep(500);
    expect(await f.held('edge-1')).toEqual([
      [keep.id, 1],
      [drop.id, 1],
    ]);

    await f.admin().put('/hosts/edge-1/uplink', { allowedVlans: [] });
    await f.holds('edge-1', [[keep.id, 1]], 'the current desired state');
  }, 30000);
});
