import { jest } from '@jest/globals';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';

// Longer than Jest's 5 s default, since a test waits for the relay to catch up after a restart (on a loaded machine too).
jest.setTimeout(60000);

async function allEventIds(baseUrl: string): Promise<string[]> {
  const admin = api(baseUrl);
  const ids: string[] = [];
  let after = 0;
  for (;;) {
    const page = (await admin.get(`/events?limit=1000&after=${after}`)).body;
    ids.push(...page.events.map((e: { id: string }) => e.id));
    if (page.next === null) return ids;
    after = page.next;
  }
}

async function streamIds(nc: NatsConnection, stream: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream)).state.messages;
  const name = `audit-${Date.now()}`;
  await jsm.consumers.add(stream, { name, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
  const consumer = await jetstream(nc).consumers.get(stream, name);
  const ids: string[] = [];
  while (ids.length < total) {
    for await (const m of await consumer.fetch({ max_messages: 1000, expires: 2000 })) ids.push(m.headers?.get('Nats-Msg-Id') ?? '');
  }
  await jsm.consumers.delete(stream, name);
  return ids;
}

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
    const logIds = await allEventIds(nm.url);
    // Every acknowledged create is in the log.
    const zones = new Set(((await api(nm.url).get('/transport-zones')).body as Array<{ id: string }>).map((z) => z.id));
    for (const id of acknowledged) expect(zones.has(id)).toBe(true);

    const published = await eventually(
      async () => {
        const ids = await streamIds(nc, 'EVENTS_NETWORK_MANAGER');
        return ids.length >= logIds.length ? ids : null;
      },
      20000,
      'the relay to catch up',
    );
    expect(published).toEqual(logIds);
  }, 60000);
});
