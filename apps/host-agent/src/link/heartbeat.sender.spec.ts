import type { NatsConnection } from '@nats-io/transport-node';
import { HeartbeatSender, type HeartbeatTarget } from './heartbeat.sender.js';
import { ManagementLink } from './management-link.js';

/** A connection that records what is published, and when (in which batch). */
function fakeConnection() {
  const published: Array<{ subject: string; reply?: string; batch: number }> = [];
  let batch = 0;
  const nc = {
    isClosed: () => false,
    subscribe: () => ({ unsubscribe: () => undefined }),
    publish: (subject: string, _data: string, opts?: { reply?: string }) => published.push({ subject, reply: opts?.reply, batch }),
  } as unknown as NatsConnection;
  return { nc, published, nextBatch: () => batch++ };
}

const target = (id: string): HeartbeatTarget => ({ id, link: new ManagementLink(), roundTrips: { lastRoundTripAt: null } });
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('HeartbeatSender round trips', () => {
  it('sends the round trips asked for in one turn together, and none for a link cut meanwhile', async () => {
    const { nc, published, nextBatch } = fakeConnection();
    const sender = new HeartbeatSender({ connected: async () => nc }, { now: () => 1000 }, 'boot-1');
    sender.start();
    await turn();
    const hosts = ['h1', 'h2', 'h3'].map(target);
    const answers = hosts.map((h) => sender.roundTrip(h, 50));
    // Host h3's cable is cut before the batch leaves: nothing of it goes out.
    hosts[2].link.setUplink({ allowedVlans: [99] });
    expect(published).toHaveLength(0);
    nextBatch();
    await turn();
    expect(published.map((p) => [p.subject.split('.').at(-1), p.batch])).toEqual([
      ['h1', 1],
      ['h2', 1],
    ]);
    expect(published[0].reply).toMatch(/\.h1\.0\.1000$/);
    // No reply comes back in this test: each round trip ends false at its timeout.
    expect(await Promise.all(answers)).toEqual([false, false, false]);
    sender.onApplicationShutdown();
  });
});
