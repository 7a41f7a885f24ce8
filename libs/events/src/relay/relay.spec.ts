import { jest } from '@jest/globals';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { natsOptions, removeDir, startNats, type NatsServer } from '../../../../scripts/lib/stack.mjs';
import { testPool, testServers, uniqueSchema } from '../../../../test/harness/servers.js';
import { PgEventStore } from '../store/pg-event-store.js';
import { eventStoreDdl } from '../store/schema.js';
import { ensureStream } from '../transport/index.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import { Relay, type LockClient } from './relay.js';

// Longer than Jest's 5 s default, since a test waits for relays to publish (up to 10 s each), two in a row (on a loaded machine too).
jest.setTimeout(40000);

const meta = { correlationId: 'c', causationId: null, actor: 'test' };

async function streamMessageIds(nc: NatsConnection, stream: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const name = `check-${randomUUID().slice(0, 8)}`;
  await jsm.consumers.add(stream, { name, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
  const consumer = await jetstream(nc).consumers.get(stream, name);
  const total = (await jsm.streams.info(stream)).state.messages;
  const ids: string[] = [];
  while (ids.length < total) {
    const batch = await consumer.fetch({ max_messages: 500, expires: 2000 });
    for await (const m of batch) ids.push(m.json<{ id: string }>().id);
  }
  await jsm.consumers.delete(stream, name);
  return ids;
}

describe('Relay (real NATS JetStream and PostgreSQL)', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let pool: pg.Pool;
  let dir: string;
  const schema = uniqueSchema('relay');
  const stream = 'EVENTS_RELAY_TEST';

  beforeAll(async () => {
    dir = mkdtempSync(join(testServers().dir, 'relay-'));
    nats = await startNats({ dir });
    nc = await connect(await natsOptions(nats));
    await ensureStream(await jetstreamManager(nc), { name: stream, subjects: ['events.test.>'] });
    pool = testPool(10);
    for (const ddl of eventStoreDdl(schema)) await pool.query(ddl);
  });
  afterAll(async () => {
    await nc.close();
    await nats.stop();
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
    removeDir(dir);
  });

  it('killed between publish and checkpoint, loses nothing and duplicates nothing downstream', async () => {
    const store = new PgEventStore(pool, schema);
    const appended: string[] = [];
    for (let s = 0; s < 30; s++) {
      const events = Array.from({ length: 10 }, (_, i) => ({
        id: randomUUID(),
        type: 'Happened',
        data: { s, i },
        metadata: meta,
      }));
      await store.append(`thing-${randomUUID()}`, events, { expectedVersion: 0 });
      appended.push(...events.map((e) => e.id));
    }
    const publisher = new JetStreamPublisher(jetstream(nc));

    // The first relay publishes a batch and dies as it writes its checkpoint.
    let failed = false;
    const dying = new Proxy(pool, {
      get(target, prop, receiver) {
        if (prop === 'query') {
          return (query: string | { text: string }, values?: unknown[]) => {
            const text = typeof query === 'string' ? query : query.text;
            if (!failed && text.includes('checkpoints') && text.startsWith('INSERT')) {
              failed = true;
              return Promise.reject(new Error('connection lost'));
            }
            return typeof query === 'string' ? target.query(query, values as unknown[]) : target.query(query as never);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    }) as unknown as pg.Pool;
    const errors: unknown[] = [];
    const first = new Relay(store, dying as unknown as ConstructorParameters<typeof Relay>[1], publisher, {
      name: 'relay',
      schema,
      subjectPrefix: 'events.test',
      batchSize: 120,
      onError: (e) => errors.push(e),
    });
    first.start();
    const t0 = Date.now();
    while (!failed && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 10));
    await first.stop();
    expect(failed).toBe(true);
    const publishedBeforeCrash = (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
    expect(publishedBeforeCrash).toBeGreaterThan(0);

    // The next relay starts from the last checkpoint, so it publishes that batch again.
    const second = new Relay(
      store,
      pool as unknown as ConstructorParameters<typeof Relay>[1] & { connect(): Promise<LockClient> },
      publisher,
      {
        name: 'relay',
        schema,
        subjectPrefix: 'events.test',
        batchSize: 120,
      },
    );
    second.start();
    const t1 = Date.now();
    while (second.publishedCount < appended.length && Date.now() - t1 < 10000) await new Promise((r) => setTimeout(r, 20));
    await second.stop();
    // It did publish every event itself, including the batch the first had already sent...
    expect(second.publishedCount).toBe(appended.length);
    // ...and JetStream kept each exactly once, in log order.
    const ids = await streamMessageIds(nc, stream);
    expect(ids).toEqual(appended);
  });

  it('runs one relay per log at a time', async () => {
    const store = new PgEventStore(pool, schema);
    const publisher = new JetStreamPublisher(jetstream(nc));
    const poolWithConnect = pool as unknown as ConstructorParameters<typeof Relay>[1];
    const a = new Relay(store, poolWithConnect, publisher, {
      name: 'solo',
      schema,
      subjectPrefix: 'events.test',
      idlePollMs: 20,
    });
    const b = new Relay(store, poolWithConnect, publisher, {
      name: 'solo',
      schema,
      subjectPrefix: 'events.test',
      idlePollMs: 20,
    });
    const until = async (done: () => boolean, what: string) => {
      for (const t0 = Date.now(); !done(); await new Promise((r) => setTimeout(r, 10))) {
        if (Date.now() - t0 > 20000) throw new Error(`timed out waiting for ${what}`);
      }
    };
    const append = () =>
      store.append(`thing-${randomUUID()}`, [{ id: randomUUID(), type: 'Solo', data: {}, metadata: meta }], {
        expectedVersion: 0,
      });
    a.start();
    // a holds the lock once it has published the whole log (what the test before appended included).
    await append();
    const logged = Number((await pool.query(`SELECT count(*) AS n FROM ${schema}.events`)).rows[0].n);
    await until(() => a.publishedCount === logged, 'a to publish');
    b.start();
    await append();
    await until(() => a.publishedCount === logged + 1, 'a to publish what was appended while b runs');
    expect(b.publishedCount).toBe(0);
    // b was there all along, waiting for the lock: once a stops it takes over.
    await a.stop();
    await append();
    await until(() => b.publishedCount > 0, 'b to take over');
    await b.stop();
    expect(a.publishedCount).toBe(logged + 1);
  });
});
