import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { natsOptions, removeDir, startNats, type NatsServer } from '../../../../scripts/lib/stack.mjs';
import { testServers } from '../../../../test/harness/servers.js';
import { bucketKeys, isMissingStream } from './desired-state.buckets.js';

/**
 * A restarted host agent lists the keys of the compute manager's buckets before reading them. One
 * of them (a switch) may be put all the time by a stream of changes: the listing must still end at
 * once, with every key, and not wait for a consumer's heartbeat.
 */
describe('bucket keys (real NATS JetStream)', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(testServers().dir, 'bucket-keys-'));
    nats = await startNats({ dir });
    nc = await connect(await natsOptions(nats));
  });
  afterAll(async () => {
    await nc.close();
    await nats.stop();
    removeDir(dir);
  });

  it('lists every key matching the filter while one is put all the time, deleted ones too, and none of another filter', async () => {
    const js = jetstream(nc);
    const kv = await new Kvm(js).create('keys-test', { history: 1 });
    for (const key of ['sw-a', 'sw-b', 'host-1']) await kv.put(key, '{}');
    await kv.put('sw-gone', '{}');
    await kv.delete('sw-gone');
    let putting = true;
    const hot = (async () => {
      for (let i = 0; putting; i++) await kv.put('sw-hot', JSON.stringify({ i }));
    })();
    try {
      // Let the puts run a while first, as under a stream of changes.
      await new Promise((r) => setTimeout(r, 200));
      const jsm = await js.jetstreamManager();
      const keys = await bucketKeys(jsm, 'keys-test', '>');
      expect(keys.sort()).toEqual(['host-1', 'sw-a', 'sw-b', 'sw-gone', 'sw-hot']);
      expect(await bucketKeys(jsm, 'keys-test', 'host-1')).toEqual(['host-1']);
    } finally {
      putting = false;
      await hot;
    }
  });

  it('answers a missing stream as such, for the readers to take as an empty bucket', async () => {
    const jsm = await jetstream(nc).jetstreamManager();
    const err = await bucketKeys(jsm, 'never-created', '>').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMissingStream(err)).toBe(true);
  });
});
