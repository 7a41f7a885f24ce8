import { jest } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { compareLogAndStream, logEventIds, streamMsgIds } from './harness/bus-audit.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

jest.setTimeout(120000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OUTAGE_MS = 5000;

/** One call, timed: the answer must come at once, whatever is down. */
async function timed<T>(call: () => Promise<T>): Promise<{ answer: T; ms: number }> {
  const t0 = Date.now();
  const answer = await call();
  return { answer, ms: Date.now() - t0 };
}

async function healthy(service: RunningService): Promise<boolean> {
  return (
    (await fetch(`${service.url}/health`)
      .then((r) => r.status)
      .catch(() => 0)) === 200
  );
}

/**
 * PostgreSQL and NATS stopped under running services and started again (issue 15, item 2): while
 * one is down the services answer 503 DEPENDENCY_UNAVAILABLE at once (never a hang, never a 500) and
 * `/health` names it; once it is back they recover by themselves, and the log and the event streams
 * hold every accepted change exactly once.
 */
describe('dependency outages', () => {
  const stack = new SuiteStack({ ownPostgres: true });
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let nc: NatsConnection;
  let networkId: string;
  let switchId: string;
  let portGroupId: string;

  async function auditBus(): Promise<void> {
    for (const [service, stream] of [
      [nm, 'EVENTS_NETWORK_MANAGER'],
      [cm, 'EVENTS_COMPUTE_MANAGER'],
    ] as const) {
      const log = await logEventIds(service.url);
      // The relay catches up by itself: wait until the stream holds the whole log.
      const result = await eventually(
        async () => {
          const r = compareLogAndStream(log, await streamMsgIds(nc, stream));
          return r.lost.length === 0 ? r : null;
        },
        30000,
        `${stream} to hold the whole log`,
      );
      expect(result).toEqual({ lost: [], duplicated: [] });
    }
  }

  beforeAll(async () => {
    await stack.start();
    nm = await stack.startService('network-manager');
    cm = await stack.startService('compute-manager');
    ha = await stack.startService('host-agent', { HOSTS: '1' });
    nc = await connect(await stack.natsOptions('admin', { maxReconnectAttempts: -1, reconnectTimeWait: 250 }));
    const zone = (await api(nm.url).post('/transport-zones', { name: 'z' })).body;
    networkId = (await api(nm.url).post('/logical-networks', { name: 'n', transportZoneId: zone.id })).body.id;
    await api(nm.url).post('/transport-nodes', { hostId: 'host-1', transportZoneIds: [zone.id] });
    await api(cm.url).post('/hosts', { hostId: 'host-1' });
    const sw = (await api(cm.url).post('/switches', { name: 's', hostIds: ['host-1'], rollbackTimeoutMs: 5000 })).body;
    switchId = sw.id;
    const pg = (await api(cm.url).post(`/switches/${switchId}/port-groups`, { name: 'pg', vlanId: 10 })).body;
    portGroupId = pg.portGroupId;
    expect((await taskEnd(api(cm.url), pg.taskId)).state).toBe('succeeded');
  }, 120000);
  afterAll(async () => {
    await nc?.close();
    await stack.stop();
  }, 30000);

  it('PostgreSQL down: reads and writes answer 503 at once, /health names postgresql; back: recovers, nothing lost or doubled', async () => {
    const zonesBefore = (await api(nm.url).get('/transport-zones')).body.length;
    await stack.stopPostgres();
    const down = Date.now();
    const calls = [
      () => api(nm.url).get('/transport-zones'),
      () => api(nm.url).post('/transport-zones', { name: 'during' }),
      () => api(cm.url).get(`/switches/${switchId}`),
      () => api(cm.url).patch(`/switches/${switchId}/port-groups/${portGroupId}`, { vlanId: 11 }),
      () => api(cm.url).get('/events?limit=5'),
    ];
    for (const call of calls) {
      const { answer, ms } = await timed(call);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE', dependency: 'postgresql' });
      expect(ms).toBeLessThan(5000);
    }
    for (const service of [nm, cm]) {
      const { answer, ms } = await timed(() => api(service.url).get('/health'));
      expect(answer.status).toBe(503);
      expect(answer.body.message).toMatch(/postgresql/);
      expect(answer.body.details.postgresql.status).toBe('down');
      expect(answer.body.details.nats.status).toBe('up');
      expect(ms).toBeLessThan(5000);
    }
    // The host agent keeps no PostgreSQL: it stays healthy, and keeps serving its hosts.
    expect(await healthy(ha)).toBe(true);

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));
    await stack.startPostgresAgain();
    const back = Date.now();
    await eventually(async () => (await healthy(nm)) && (await healthy(cm)), 30000, 'both managers healthy again');
    const recoveryMs = Date.now() - back;
    process.stdout.write(`PostgreSQL outage of ${back - down} ms: managers healthy ${recoveryMs} ms after it was back\n`);

    // Nothing refused was recorded; new writes work and reach the host.
    expect((await api(nm.url).get('/transport-zones')).body).toHaveLength(zonesBefore);
    expect((await api(nm.url).post('/transport-zones', { name: 'after' })).status).toBe(201);
    const patched = await api(cm.url).patch(`/switches/${switchId}/port-groups/${portGroupId}`, { vlanId: 12 });
    expect(patched.status).toBe(202);
    expect((await taskEnd(api(cm.url), patched.body.taskId)).state).toBe('succeeded');
    await auditBus();
  });

  it('NATS down: /health names nats, what needs NATS answers 503 at once, accepted writes reach the hosts once it is back', async () => {
    await stack.stopNats();
    const down = Date.now();
    for (const service of [nm, cm, ha]) {
      const answer = await eventually(
        async () => {
          const r = await api(service.url).get('/health');
          return r.status === 503 ? r : null;
        },
        5000,
        `${service.name} /health to say NATS is down`,
      );
      expect(answer.body).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
      expect(answer.body.message).toMatch(/nats/);
      expect(answer.body.details.nats.status).toBe('down');
    }
    // Snapshots live in a JetStream object store: listing them needs NATS.
    const { answer: snapshots, ms } = await timed(() => api(cm.url).get('/snapshots'));
    expect(snapshots.status).toBe(503);
    expect(snapshots.body).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'nats' });
    expect(ms).toBeLessThan(5000);

    // The log is the outbox: writes are accepted while NATS is down, promptly, and published later.
    const { answer: network, ms: networkMs } = await timed(() =>
      api(nm.url).patch(`/logical-networks/${networkId}`, { mtu: 9000 }),
    );
    expect(network.status).toBe(200);
    expect(networkMs).toBeLessThan(3000);
    const { answer: pg, ms: pgMs } = await timed(() =>
      api(cm.url).patch(`/switches/${switchId}/port-groups/${portGroupId}`, { vlanId: 13 }),
    );
    expect(pg.status).toBe(202);
    expect(pgMs).toBeLessThan(3000);

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));
    await stack.startNatsAgain();
    const back = Date.now();
    await eventually(
      async () => (await healthy(nm)) && (await healthy(cm)) && (await healthy(ha)),
      30000,
      'every service healthy again',
    );
    const recoveryMs = Date.now() - back;
    const host = await eventually(
      async () => {
        const h = (await api(ha.url).get('/hosts/host-1')).body;
        const net = h.networkSwitch.logicalNetworks.find((n: { id: string }) => n.id === networkId);
        const sw = h.computeSwitches.find((s: { id: string }) => s.id === switchId);
        return net?.mtu === 9000 && sw?.revision === pg.body.revision ? h : null;
      },
      30000,
      'host-1 to hold both changes made while NATS was down',
    );
    expect(host.computeSwitches[0].portGroups.find((p: { id: string }) => p.id === portGroupId).vlanId).toBe(13);
    const converged = Date.now() - back;
    process.stdout.write(
      `NATS outage of ${back - down} ms: services healthy ${recoveryMs} ms, host converged ${converged} ms after it was back\n`,
    );
    await auditBus();
  });
});
