import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Controller, Module, ValidationPipe, type INestMicroservice, type LoggerService, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { IsString } from 'class-validator';
import { lastValueFrom } from 'rxjs';
import { startNats } from '../../../../scripts/lib/stack.mjs';
import type { DeadLetter } from './dead-letter.js';
import { InvalidMessageError } from './invalid-message.error.js';
import { JetStreamClient } from './jetstream.client.js';
import { JetStreamContext } from './jetstream.context.js';
import { JetStreamExceptionFilter } from './jetstream-exception.filter.js';
import { JetStreamServer, type JetStreamServerOptions } from './jetstream.server.js';

// ---- a real nats-server for the suite, and helpers -------------------------------------------

let dir: string;
let nats: { url: string; stop(): Promise<void> };
let nc: NatsConnection;
let jsm: JetStreamManager;
let client: JetStreamClient;
const apps: INestMicroservice[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vnet-jetstream-server-'));
  nats = await startNats({ dir });
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  client = new JetStreamClient({ connection: async () => nc });
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  // The server must leave the application's connection alone.
  expect(nc.isClosed()).toBe(false);
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Retries an assertion until it holds, or fails with its last error once the deadline passes. */
async function eventually(assertion: () => void | Promise<void>, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

class CapturingLogger implements LoggerService {
  readonly entries: Array<{ level: string; entry: Record<string, unknown> }> = [];
  log(entry: Record<string, unknown>): void {
    this.entries.push({ level: 'log', entry });
  }
  warn(entry: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', entry });
  }
  error(entry: Record<string, unknown>): void {
    this.entries.push({ level: 'error', entry });
  }
  at(level: string): Array<Record<string, unknown>> {
    return this.entries.filter((e) => e.level === level).map((e) => e.entry);
  }
}

interface Call {
  data: unknown;
  subject: string;
  seq: number;
  deliveryCount: number;
  correlationId?: string;
  msgId?: string;
}

/** What the handler saw, and what it does (set per test). */
class Probe {
  readonly calls: Call[] = [];
  behaviour: (data: unknown, ctx: JetStreamContext) => unknown = () => undefined;

  handle(data: unknown, ctx: JetStreamContext): unknown {
    this.calls.push({
      data,
      subject: ctx.getSubject(),
      seq: ctx.getStreamSequence(),
      deliveryCount: ctx.getDeliveryCount(),
      correlationId: ctx.getCorrelationId(),
      msgId: ctx.getMsgId(),
    });
    return this.behaviour(data, ctx);
  }
}

function moduleFor(pattern: string, probe: Probe): Type {
  @Controller()
  class Handlers {
    @EventPattern(pattern)
    handle(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): unknown {
      return probe.handle(data, ctx);
    }
  }
  @Module({ controllers: [Handlers] })
  class HandlersModule {}
  return HandlersModule;
}

let scenarios = 0;

/** A stream and a service name of its own for each test, so tests never see each other's messages. */
function scenario(): { stream: string; prefix: string; subject: (rest: string) => string } {
  const n = ++scenarios;
  return { stream: `S${n}`, prefix: `svc${n}`, subject: (rest) => `s${n}.${rest}` };
}

async function startService(
  module: Type,
  options: Partial<JetStreamServerOptions> & Pick<JetStreamServerOptions, 'durablePrefix' | 'streams'>,
  setup: (app: INestMicroservice, server: JetStreamServer) => void = () => undefined,
): Promise<{ app: INestMicroservice; server: JetStreamServer; logger: CapturingLogger }> {
  const logger = new CapturingLogger();
  const server = new JetStreamServer({ connection: async () => nc, nakDelayMs: 50, logger, ...options });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    strategy: server,
    logger: false,
    abortOnError: false,
  });
  apps.push(app);
  setup(app, server);
  await app.listen();
  return { app, server, logger };
}

async function consumer(stream: string, name: string): Promise<ConsumerInfo> {
  return jsm.consumers.info(stream, name);
}

function settled(info: ConsumerInfo, lastSeq: number): void {
  expect({ ackFloor: info.ack_floor.stream_seq, ackPending: info.num_ack_pending, pending: info.num_pending }).toEqual({
    ackFloor: lastSeq,
    ackPending: 0,
    pending: 0,
  });
}

function collect(sub: Subscription): DeadLetter[] {
  const received: DeadLetter[] = [];
  void (async () => {
    for await (const m of sub) received.push(m.json<DeadLetter>());
  })();
  return received;
}

// ---- delivery ---------------------------------------------------------------------------------

describe('JetStreamServer delivery', () => {
  it('delivers an event to its handler and acks it only once the handler has finished', async () => {
    const { stream, prefix, subject } = scenario();
    const probe = new Probe();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    probe.behaviour = () => gate;
    await startService(moduleFor(subject('*.reported'), probe), {
      durablePrefix: prefix,
      streams: [{ name: stream, subjects: [subject('>')] }],
    });
    const name = `${prefix}__${subject('ANY.reported').replace('.', '_').replace('.', '_')}`;

    await lastValueFrom(
      client.emit(subject('host-1.reported'), { id: 'evt-1', metadata: { correlationId: 'corr-1' }, data: { up: true } }),
    );

    await eventually(() => expect(probe.calls).toHaveLength(1));
    expect(probe.calls[0]).toEqual({
      data: { id: 'evt-1', metadata: { correlationId: 'corr-1' }, data: { up: true } },
      subject: subject('host-1.reported'),
      seq: 1,
      deliveryCount: 1,
      correlationId: 'corr-1',
      msgId: 'evt-1',
    });
    const running = await consumer(stream, name);
    expect({ ackPending: running.num_ack_pending, ackFloor: running.ack_floor.stream_seq }).toEqual({ ackPending: 1, ackFloor: 0 });
    expect(running.config).toMatchObject({ filter_subject: subject('*.reported'), ack_policy: 'explicit', deliver_policy: 'all' });

    release();

    await eventually(async () => settled(await consumer(stream, name), 1));
    expect(probe.calls).toHaveLength(1);
    expect((await consumer(stream, name)).num_redelivered).toBe(0);
  });

  it('also waits for a handler that returns an observable', async () => {
    const { stream, prefix, subject } = scenario();
    const probe = new Probe();
    const { Subject } = await import('rxjs');
    const result$ = new Subject<string>();
    probe.behaviour = () => result$;
    await startService(moduleFor(subject('obs'), probe), {
      durablePrefix: prefix,
      streams: [{ name: stream, subjects: [subject('>')] }],
    });

    await client.publishEvent(subject('obs'), { n: 1 });
    await eventually(() => expect(probe.calls).toHaveLength(1));
    expect((await consumer(stream, `${prefix}__s${scenarios}_obs`)).num_ack_pending).toBe(1);

    result$.next('partial');
    result$.complete();

    await eventually(async () => settled(await consumer(stream, `${prefix}__s${scenarios}_obs`), 1));
  });

  it('runs the handler inside the processing hooks, where a correlation id can be put in context', async () => {
    const { stream, prefix, subject } = scenario();
    const probe = new Probe();
    const als = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    probe.behaviour = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(als.getStore());
    };
    await startService(
      moduleFor(subject('hooked'), probe),
      { durablePrefix: prefix, streams: [{ name: stream, subjects: [subject('>')] }] },
      (_app, server) =>
        server.setOnProcessingStartHook((_transport, ctx, done) =>
          als.run((ctx as JetStreamContext).getCorrelationId() ?? 'none', done),
        ),
    );

    await client.publishEvent(subject('hooked'), { n: 1 }, { correlationId: 'corr-hooked' });

    await eventually(() => expect(seen).toEqual(['corr-hooked']));
  });
});

// ---- failures ---------------------------------------------------------------------------------

describe('JetStreamServer failures', () => {
  it('redelivers after a passing failure, with a delay, and acks once the handler succeeds', async () => {
    const { stream, prefix, subject } = scenario();
    const probe = new Probe();
    probe.behaviour = (_data, ctx) => {
      if (ctx.getDeliveryCount() === 1) throw new Error('database unavailable');
    };
    const { logger } = await startService(
      moduleFor(subject('work'), probe),
      { durablePrefix: prefix, streams: [{ name: stream, subjects: [subject('>')] }], nakDelayMs: 200 },
      (app) => app.useGlobalFilters(new JetStreamExceptionFilter()),
    );

    await client.publishEvent(subject('work'), { n: 1 });

    await eventually(async () => settled(await consumer(stream, `${prefix}__s${scenarios}_work`), 1));
    expect(probe.calls.map((c) => [c.seq, c.deliveryCount])).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(logger.at('warn')).toEqual([
      expect.objectContaining({ streamSeq: 1, deliveryCount: 1, retryInMs: 200, error: 'database unavailable' }),
    ]);
    expect(logger.at('error')).toEqual([]);
  });

  it('still retries a failure that Nest\'s default filter flattened, when no filter is registered', async () => {
    const { stream, prefix, subject } = scenario();
    const probe = new Probe();
    probe.behaviour = (_data, ctx) => {
      if (ctx.getDeliveryCount() === 1) throw new Error('database unavailable');
    };
    const { logger } = await startService(moduleFor(subject('bare'), probe), {
      durablePrefix: prefix,
      streams: [{ name: stream, subjects: [subject('>')] }],
    });

    await client.publishEvent(subject('bare'), { n: 1 });

    await eventually(async () => settled(await consumer(stream, `${prefix}__s${scenarios}_bare`), 1));
    expect(probe.calls.map((c) => c.deliveryCount)).toEqual([1, 2]);
    expect(logger.at('warn')).toEqual([expect.objectContaining({ error: 'Internal server error' })]);
  });

  it('terminates a body that is not JSON, records a dead letter, and goes on with the next message', async () => {
    const { stream, prefix, subject } = scenario();
    const probe = new Probe();
    const sub = nc.subscribe(`deadletter.${prefix}`);
    const published = collect(sub);
    const heard: DeadLetter[] = [];
    const { logger } = await startService(
      moduleFor(subject('reports'), probe),
      { durablePrefix: prefix, streams: [{ name: stream, subjects: [subject('>')] }] },
      (_app, server) => server.on('deadLetter', (entry) => heard.push(entry)),
    );
    const js = jsm.jetstream();

    await js.publish(subject('reports'), '{not json', { msgID: 'broken-1' });
    await js.publish(subject('reports'), 'x'.repeat(5000));
    await client.publishEvent(subject('reports'), { n: 3 });

    const name = `${prefix}__s${scenarios}_reports`;
    await eventually(async () => settled(await consumer(stream, name), 3));
    expect(probe.calls.map((c) => c.data)).toEqual([{ n: 3 }]);
    const deadLetters = logger.at('error');
    expect(deadLetters).toEqual([
      expect.objectContaining({
        msg: 'dead letter',
        consumer: name,
        stream,
        subject: subject('reports'),
        streamSeq: 1,
        msgId: 'broken-1',
        payload: '{not json',
        reason: expect.stringContaining('not valid JSON'),
      }),
      expect.objectContaining({ streamSeq: 2, payloadBytes: 5000, truncated: true, payload: 'x'.repeat(2048) }),
    ]);
    await eventually(() => expect(published.map((d) => d.streamSeq)).toEqual([1, 2]));
    expect(published[0]).toEqual(heard[0]);
    expect(heard).toHaveLength(2);
    sub.unsubscribe();
  });

  it('terminates a message its handler rejects with InvalidMessageError, with no filter registered', async () => {
    const { stream, prefix, subject } = scenario();
    const probe = new Probe();
    probe.behaviour = (data) => {
      if ((data as { hostId?: unknown }).hostId === undefined) throw new InvalidMessageError('hostId is missing');
    };
    const { logger } = await startService(moduleFor(subject('hosts'), probe), {
      durablePrefix: prefix,
      streams: [{ name: stream, subjects: [subject('>')] }],
    });

    await client.publishEvent(subject('hosts'), { nothing: true });
    await client.publishEvent(subject('hosts'), { hostId: 'host-2' });

    await eventually(async () => settled(await consumer(stream, `${prefix}__s${scenarios}_hosts`), 2));
    expect(probe.calls.map((c) => [c.seq, c.deliveryCount])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(logger.at('error')).toEqual([expect.objectContaining({ streamSeq: 1, reason: 'hostId is missing' })]);
  });

  it('terminates a message that fails @Payload validation (400) when JetStreamExceptionFilter is registered', async () => {
    const { stream, prefix, subject } = scenario();
    const handled: string[] = [];
    class HostReported {
      @IsString()
      hostId!: string;
    }
    @Controller()
    class Handlers {
      @EventPattern(subject('validated'))
      handle(@Payload(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })) dto: HostReported): void {
        handled.push(dto.hostId);
      }
    }
    @Module({ controllers: [Handlers] })
    class ValidatedModule {}
    const { logger } = await startService(
      ValidatedModule,
      { durablePrefix: prefix, streams: [{ name: stream, subjects: [subject('>')] }] },
      (app) => app.useGlobalFilters(new JetStreamExceptionFilter()),
    );

    await client.publishEvent(subject('validated'), { hostId: 42 });
    await client.publishEvent(subject('validated'), { hostId: 'host-3' });

    await eventually(async () => settled(await consumer(stream, `${prefix}__s${scenarios}_validated`), 2));
    expect(handled).toEqual(['host-3']);
    expect(logger.at('error')).toEqual([
      expect.objectContaining({ streamSeq: 1, deliveryCount: 1, reason: expect.stringContaining('hostId must be a string') }),
    ]);
  });

  it('gives a message up as a dead letter after maxDeliver failed deliveries', async () => {
    const { stream, prefix, subject } = scenario();
    const probe = new Probe();
    probe.behaviour = (data) => {
      if ((data as { n: number }).n === 1) throw new Error('always failing');
    };
    const { logger } = await startService(
      moduleFor(subject('flaky'), probe),
      { durablePrefix: prefix, streams: [{ name: stream, subjects: [subject('>')] }], maxDeliver: 3, nakDelayMs: 20 },
      (app) => app.useGlobalFilters(new JetStreamExceptionFilter()),
    );

    await client.publishEvent(subject('flaky'), { n: 1 });
    await client.publishEvent(subject('flaky'), { n: 2 });

    await eventually(async () => settled(await consumer(stream, `${prefix}__s${scenarios}_flaky`), 2));
    expect(probe.calls.map((c) => [c.seq, c.deliveryCount])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
    ]);
    expect(logger.at('error')).toEqual([
      expect.objectContaining({ streamSeq: 1, deliveryCount: 3, reason: 'gave up after 3 deliveries: always failing' }),
    ]);
  });

  it('refuses to start when no stream holds a pattern', async () => {
    const { stream, prefix, subject } = scenario();
    const boot = startService(moduleFor('elsewhere.events', new Probe()), {
      durablePrefix: prefix,
      streams: [{ name: stream, subjects: [subject('>')] }],
    });

    await expect(boot).rejects.toThrow(/no stream holds the subjects of @EventPattern\("elsewhere.events"\)/);
  });
});
