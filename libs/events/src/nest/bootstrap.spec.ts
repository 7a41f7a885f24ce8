import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Controller,
  Injectable,
  Module,
  type INestApplication,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNats } from '../../../../scripts/lib/stack.mjs';
import type { BaseServiceConfig } from '../config/service-config.js';
import { bootstrapService } from './bootstrap.js';
import { NATS_CONNECTION } from './tokens.js';

// Longer than Jest's 5 s default, since a test boots a Nest application (on a loaded machine too).
jest.setTimeout(30000);

@Injectable()
class Lifecycle implements OnModuleInit, OnApplicationBootstrap {
  static inits = 0;
  static bootstraps = 0;
  onModuleInit(): void {
    Lifecycle.inits++;
  }
  onApplicationBootstrap(): void {
    Lifecycle.bootstraps++;
  }
}

@Controller()
class Handlers {
  static received: unknown[] = [];
  @EventPattern<string>('boot.test.>')
  onEvent(@Payload() data: unknown): void {
    Handlers.received.push(data);
  }
}

let dir: string;
let nats: { url: string; stop(): Promise<void> };
let nc: NatsConnection;
let app: INestApplication | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vnet-bootstrap-'));
  nats = await startNats({ dir });
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await app?.close();
  await nc.close();
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('bootstrapService with JetStream handlers', () => {
  it('runs each lifecycle hook once (the relay and boot-time repairs must not start twice), and the handlers consume', async () => {
    @Module({ controllers: [Handlers], providers: [Lifecycle, { provide: NATS_CONNECTION, useValue: nc }] })
    class TestModule {}
    const config = {
      ADMIN_TOKEN: 'bootstrap-test-token',
      NATS_URL: nats.url,
      BIND_ADDRESS: '127.0.0.1',
      LOG_LEVEL: 'fatal',
    } as BaseServiceConfig;
    app = await bootstrapService(TestModule, {
      service: 'bootstrap-test',
      title: 'test',
      config,
      port: 0,
      consumes: [{ name: 'BOOT_TEST', subjects: ['boot.test.>'] }],
    });
    expect(Lifecycle.inits).toBe(1);
    expect(Lifecycle.bootstraps).toBe(1);

    await jetstream(nc).publish('boot.test.one', JSON.stringify({ n: 1 }));
    const t0 = Date.now();
    while (Handlers.received.length === 0 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    expect(Handlers.received).toEqual([{ n: 1 }]);
  }, 30000);
});
