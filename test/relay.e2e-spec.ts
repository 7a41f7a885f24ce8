import { jest } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { logEventIds, streamMsgIds } from './harness/bus-audit.js';

// Longer than Jest's 5 s default, since a test waits for the relay to catch up after a restart (on a loaded machine too).
jest.setTimeout(60000);

/** The outbox relay under a real kill -9 of the service that owns the log. */
describe('relay: a manager killed at any moment loses nothing and duplicates nothing', () => {
  const stack = new SuiteStack();
  let nc: NatsConnection;

  beforeAll(async () => {
    await stack.start();
    nc = await connect(await stack.natsOptions());
  }, 60000);
  afterAll(async () => {
    await nc.close();
    await stack.stop();
  }, 30000);

  it('publishes every acknowledged event exactly once across a SIGKILL and a restart', async () => {
    let nm: RunningService = await stack.startService('network-manager');
    const acknowledged: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const res = await api(nm.url)
          .post('/transport-zones', { name: `w${w}-${i}` })
          .catch(() => null);
        if (res?.status === 201) acknowledged.push(res.body.id);
        else if (!res) return;
      }
    });
    await eventually(async () => acknowledged.length >= 150, 20000, '150 acknowledged creates');
    await nm.kill();
    stop = true;
    await Promise.all(writers);

    nm = await stack.startService('network-manager');
    const logIds = await logEventIds(nm.url);
    // Every acknowledged create is in the log.
    const zones = new Set(((await api(nm.url).get('/transport-zones')).body as Array<{ id: string }>).map((z) => z.id));
    for (const id of acknowledged) expect(zones.has(id)).toBe(true);

    const published = await eventually(
      async () => {
        const ids = await streamMsgIds(nc, 'EVENTS_NETWORK_MANAGER');
        return ids.length >= logIds.length ? ids : null;
      },
      20000,
      'the relay to catch up',
    );
    expect(published).toEqual(logIds);
  }, 60000);
});
