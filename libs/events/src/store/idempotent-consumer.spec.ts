import { jest } from '@jest/globals';
import { Controller, type INestMicroservice, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { natsOptions, removeDir, startNats, type NatsServer } from '../../../../scripts/lib/stack.mjs';
import { testServers, uniqueSchema } from '../../../../test/harness/servers.js';
import { JetStreamContext, JetStreamExceptionFilter, JetStreamServer } from '../transport/index.js';
import { EventLog } from './event-log.js';
import { eventStoreDdl } from './schema.js';

// Longer than Jest's 5 s default, since a test waits for a redelivery from NATS (on a loaded machine too).
jest.setTimeout(20000);

/**
 * An idempotent consumer against real NATS and PostgreSQL: the handled-message record commits in
 * the same transaction as the read-model change, so a message redelivered after its change
 * committed (the process died before the ack) changes nothing twice.
 */
describe('idempotent consumer (real NATS JetStream and PostgreSQL)', () => {
  const schema = uniqueSchema('idem');
  let nats: NatsServer;
  let nc: NatsConnection;
  let dataSource: DataSource;
  let log: EventLog;
  let dir: string;
  let app: INestMicroservice;
  const deliveries: Record<string, number> = {};

  @Controller()
  @UseFilters(JetStreamExceptionFilter)
  class CounterHandlers {
    @EventPattern<string>('counter.>')
    async onIncrement(@Payload() data: { by: number }, @Ctx() ctx: JetStreamContext): Promise<void> {
      const id = ctx.getMsgId()!;
      deliveries[id] = (deliveries[id] ?? 0) + 1;
      await log.transaction(async (tx) => {
        if (!(await tx.markHandled('counter', id))) return;
        await tx.client.query(`UPDATE ${schema}.counter SET n = n + $1`, [data.by]);
      });
      // The change is committed; dying before the ack makes JetStream deliver it again.
      if (deliveries[id] === 1 && id.startsWith('crash-')) throw new Error('process died before the ack');
    }
  }

  @Module({ controllers: [CounterHandlers] })
  class CounterModule {}

  beforeAll(async () => {
    dir = mkdtempSync(join(testServers().dir, 'idem-'));
    nats = await startNats({ dir });
    nc = await connect(await natsOptions(nats));
    dataSource = new DataSource({ type: 'postgres', url: testServers().databaseUrl, schema });
    await dataSource.initialize();
    for (const ddl of eventStoreDdl(schema)) await dataSource.query(ddl);
    await dataSource.query(`CREATE TABLE ${schema}.counter (n int NOT NULL)`);
    await dataSource.query(`INSERT INTO ${schema}.counter VALUES (0)`);
    log = new EventLog(dataSource, (dataSource.driver as unknown as { master: never }).master, {
      schema,
      projections: [],
      newId: randomUUID,
    });
    app = await NestFactory.createMicroservice(CounterModule, {
      strategy: new JetStreamServer({
        connection: async () => nc,
        durablePrefix: 'idem',
        streams: [{ name: 'COUNTER', subjects: ['counter.>'] }],
        nakDelayMs: 50,
      }),
      logger: false,
    });
    await app.listen();
  });
  afterAll(async () => {
    await app.close();
    await nc.close();
    await nats.stop();
    await dataSource.query(`DROP SCHEMA ${schema} CASCADE`);
    await dataSource.destroy();
    removeDir(dir);
  });

  const counter = async () => (await dataSource.query(`SELECT n FROM ${schema}.counter`))[0].n as number;

  it('applies a message redelivered after its change committed only once', async () => {
    const js = jetstream(nc);
    await js.publish('counter.inc', JSON.stringify({ by: 5 }), { msgID: 'crash-1' });
    await js.publish('counter.inc', JSON.stringify({ by: 1 }), { msgID: 'plain-1' });
    const t0 = Date.now();
    while ((deliveries['crash-1'] ?? 0) < 2 || !deliveries['plain-1']) {
      if (Date.now() - t0 > 10000) throw new Error(`not redelivered: ${JSON.stringify(deliveries)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(deliveries['crash-1']).toBe(2);
    expect(await counter()).toBe(6);
  });
});
