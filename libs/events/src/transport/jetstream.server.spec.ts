import { jest } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Catch,
  Controller,
  Module,
  UseFilters,
  ValidationPipe,
  type ArgumentsHost,
  type ExceptionFilter,
  type INestMicroservice,
  type LoggerService,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { IsString } from 'class-validator';
import { lastValueFrom, Subject } from 'rxjs';
import { natsOptions, startNats, type NatsServer } from '../../../../scripts/lib/stack.mjs';
import type { DeadLetter } from './dead-letter.js';
import { InvalidMessageError } from './invalid-message.error.js';
import { JetStreamClient } from './jetstream.client.js';
import { JetStreamContext } from './jetstream.context.js';
import { JetStreamExceptionFilter } from './jetstream-exception.filter.js';
import { JetStreamServer, type JetStreamServerOptions } from './jetstream.server.js';
import { consumerName } from './subjects.js';

// Longer than Jest's 5 s default, since a test starts a Nest microservice on NATS and waits for deliveries (4 s each), several in a row (on a loaded machine too).
jest.setTimeout(30000);

// ---- one real nats-server for the suite ------------------------------------------------------

let dir: string;
let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let client: JetStreamClient;
const apps: INestMicroservice[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vnet-jetstream-server-'));
  nats = await startNats({ dir });
  nc = await connect(await natsOptions(nats));
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

// ---- helpers ----------------------------------------------------------------------------------

/** Retries an assertion until it holds; past the deadline, fails with its last error. */
async function eventually(assertion: () => void | Promise<void>, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(20);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function gate(): { passed: Promise<void>; open: () => void } {
  let open!: () => void;
  const passed = new Promise<void>((resolve) => (open = resolve));
  return { passed, open };
}

class CapturingLogger implements LoggerService {
  private readonly entries: Array<{ level: string; entry: Record<string, unknown> }> = [];
  log(entry: Record<string, unknown>): void {
    this.entries.push({ level: 'log', entry });
  }
  warn(entry: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', entry });
  }
  error(entry: Record<string, unknown>): void {
    this.entries.push({ level: 'error', entry });
  }
  at(level: 'log' | 'warn' | 'error'): Array<Record<string, unknown>> {
    return this.entries.filter((e) => e.level === level).map((e) => e.entry);
  }
}

interface Call {
  n?: number;
  data: unknown;
  subject: string;
  seq: number;
  deliveryCount: number;
  correlationId?: string;
  msgId?: string;
  at: number;
}

/** Records what the handler saw and does what the test says. */
class Probe {
  readonly calls: Call[] = [];
  behaviour: (data: unknown, ctx: JetStreamContext) => unknown = () => undefined;

  handle(data: unknown, ctx: JetStreamContext): unknown {
    this.calls.push({
      n: (data as { n?: number }).n,
      data,
      subject: ctx.getSubject(),
      seq: ctx.getStreamSequence(),
      deliveryCount: ctx.getDeliveryCount(),
      correlationId: ctx.getCorrelationId(),
      msgId: ctx.getMsgId(),
      at: Date.now(),
    });
    return this.behaviour(data, ctx);
  }
}

// `@EventPattern<string>`: Nest 12's typed overload (picked for a bare string) types the handler's
// later parameters as `unknown`, which a typed `@Ctx()` parameter does not satisfy.
function moduleFor(pattern: string, probe: Probe): Type {
  @Controller()
  class Handlers {
    @EventPattern<string>(pattern)
    handle(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): unknown {
      return probe.handle(data, ctx);
    }
  }
  @Module({ controllers: [Handlers] })
  class HandlersModule {}
  return HandlersModule;
}

interface Scenario {
  stream: string;
  prefix: string;
  subject: (rest: string) => string;
  /** The durable consumer of the pattern `subject(rest)`. */
  consumer: (rest: string) => Promise<ConsumerInfo>;
}

let scenarios = 0;

/** A stream, subjects and a service name of its own for each test: tests never see each other's messages. */
function scenario(): Scenario {
  const n = ++scenarios;
  const subject = (rest: string): string => `s${n}.${rest}`;
  return {
    stream: `S${n}`,
    prefix: `svc${n}`,
    subject,
    consumer: (rest) => jsm.consumers.info(`S${n}`, consumerName(`svc${n}`, subject(rest))),
  };
}

async function startService(
  s: Scenario,
  module: Type,
  options: Partial<JetStreamServerOptions> = {},
  setup: (app: INestMicroservice, server: JetStreamServer) => void = () => undefined,
): Promise<{ app: INestMicroservice; logger: CapturingLogger }> {
  const logger = new CapturingLogger();
  const server = new JetStreamServer({
    connection: async () => nc,
    durablePrefix: s.prefix,
    streams: [{ name: s.stream, subjects: [s.subject('>')] }],
    nakDelayMs: 50,
    logger,
    ...options,
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    strategy: server,
    logger: false,
    abortOnError: false,
  });
  apps.push(app);
  setup(app, server);
  await app.listen();
  return { app, logger };
}

function withFilter(app: INestMicroservice): void {
  app.useGlobalFilters(new JetStreamExceptionFilter());
}

/** Waits until the consumer has settled every message up to `lastSeq` (acked or terminated). */
async function settled(s: Scenario, rest: string, lastSeq: number): Promise<void> {
  await eventually(async () => {
    const info = await s.consumer(rest);
    expect({ ackFloor: info.ack_floor.stream_seq, ackPending: info.num_ack_pending, pending: info.num_pending }).toEqual({
      ackFloor: lastSeq,
      ackPending: 0,
      pending: 0,
    });
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
    const s = scenario();
    const probe = new Probe();
    const handler = gate();
    probe.behaviour = () => handler.passed;
    await startService(s, moduleFor(s.subject('*.reported'), probe));

    const event = { id: 'evt-1', metadata: { correlationId: 'corr-1' }, data: { up: true } };
    await lastValueFrom(client.emit(s.subject('host-1.reported'), event));

    await eventually(() => expect(probe.calls).toHaveLength(1));
    expect(probe.calls[0]).toEqual({
      data: event,
      subject: s.subject('host-1.reported'),
      seq: 1,
      deliveryCount: 1,
      correlationId: 'corr-1',
      msgId: 'evt-1',
      at: expect.any(Number),
    });
    const running = await s.consumer('*.reported');
    expect(running.config).toMatchObject({
      filter_subject: s.subject('*.reported'),
      ack_policy: 'explicit',
      deliver_policy: 'all',
    });
    expect({ ackPending: running.num_ack_pending, ackFloor: running.ack_floor.stream_seq }).toEqual({
      ackPending: 1,
      ackFloor: 0,
    });

    handler.open();

    await settled(s, '*.reported', 1);
    expect(probe.calls).toHaveLength(1);
    expect((await s.consumer('*.reported')).num_redelivered).toBe(0);
  });

  it('waits for a handler that returns an observable to complete', async () => {
    const s = scenario();
    const probe = new Probe();
    const result$ = new Subject<string>();
    probe.behaviour = () => result$;
    await startService(s, moduleFor(s.subject('observed'), probe));

    await client.publishEvent(s.subject('observed'), { n: 1 });
    await eventually(() => expect(probe.calls).toHaveLength(1));
    result$.next('partial');
    expect((await s.consumer('observed')).num_ack_pending).toBe(1);
    result$.complete();

    await settled(s, 'observed', 1);
  });

  it('runs the handler inside the processing hooks, where the correlation id can be put in context', async () => {
    const s = scenario();
    const probe = new Probe();
    const correlation = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    probe.behaviour = async () => {
      await sleep(5);
      seen.push(correlation.getStore());
    };
    await startService(s, moduleFor(s.subject('hooked'), probe), {}, (_app, server) =>
      server.setOnProcessingStartHook((_transport, ctx, done) =>
        correlation.run((ctx as JetStreamContext).getCorrelationId() ?? 'none', done),
      ),
    );

    await client.publishEvent(s.subject('hooked'), { n: 1 }, { correlationId: 'corr-hooked' });

    await eventually(() => expect(seen).toEqual(['corr-hooked']));
    await settled(s, 'hooked', 1);
  });
});

// ---- failures ---------------------------------------------------------------------------------

describe('JetStreamServer failures', () => {
  it('redelivers after a passing failure, after the nak delay, and acks once the handler succeeds', async () => {
    const s = scenario();
    const probe = new Probe();
    probe.behaviour = (_data, ctx) => {
      if (ctx.getDeliveryCount() === 1) throw new Error('database unavailable');
    };
    const { logger } = await startService(s, moduleFor(s.subject('work'), probe), { nakDelayMs: 200 }, withFilter);

    await client.publishEvent(s.subject('work'), { n: 1 });

    await settled(s, 'work', 1);
    expect(probe.calls.map((c) => [c.seq, c.deliveryCount])).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(probe.calls[1].at - probe.calls[0].at).toBeGreaterThanOrEqual(150);
    expect(logger.at('warn')).toEqual([
      expect.objectContaining({ streamSeq: 1, deliveryCount: 1, retryInMs: 200, error: 'database unavailable' }),
    ]);
    expect(logger.at('error')).toEqual([]);
  });

  it("still retries a failure that Nest's default filter flattened, when no filter is registered", async () => {
    const s = scenario();
    const probe = new Probe();
    probe.behaviour = (_data, ctx) => {
      if (ctx.getDeliveryCount() === 1) throw new Error('database unavailable');
    };
    const { logger } = await startService(s, moduleFor(s.subject('bare'), probe));

    await client.publishEvent(s.subject('bare'), { n: 1 });

    await settled(s, 'bare', 1);
    expect(probe.calls.map((c) => c.deliveryCount)).toEqual([1, 2]);
    expect(logger.at('warn')).toEqual([expect.objectContaining({ error: 'Internal server error' })]);
  });

  it('terminates a body that is not JSON, records a dead letter, and goes on with the next message', async () => {
    const s = scenario();
    const probe = new Probe();
    const sub = nc.subscribe(`deadletter.${s.prefix}`);
    const published = collect(sub);
    const heard: DeadLetter[] = [];
    const { logger } = await startService(s, moduleFor(s.subject('reports'), probe), {}, (_app, server) =>
      server.on('deadLetter', (entry) => heard.push(entry)),
    );
    const js = jsm.jetstream();

    await js.publish(s.subject('reports'), '{not json', { msgID: 'broken-1' });
    await js.publish(s.subject('reports'), 'x'.repeat(5000));
    await client.publishEvent(s.subject('reports'), { n: 3 });

    await settled(s, 'reports', 3);
    expect(probe.calls.map((c) => c.data)).toEqual([{ n: 3 }]);
    expect(logger.at('error')).toEqual([
      expect.objectContaining({
        msg: 'dead letter',
        consumer: consumerName(s.prefix, s.subject('reports')),
        stream: s.stream,
        subject: s.subject('reports'),
        streamSeq: 1,
        msgId: 'broken-1',
        payload: '{not json',
        reason: expect.stringContaining('not valid JSON'),
      }),
      expect.objectContaining({ streamSeq: 2, payloadBytes: 5000, truncated: true, payload: 'x'.repeat(2048) }),
    ]);
    await eventually(() => expect(published.map((d) => d.streamSeq)).toEqual([1, 2]));
    expect(heard).toEqual(published);
    sub.unsubscribe();
  });

  it('terminates a message its handler rejects with InvalidMessageError, even with no filter registered', async () => {
    const s = scenario();
    const probe = new Probe();
    probe.behaviour = (data) => {
      if ((data as { hostId?: string }).hostId === undefined) throw new InvalidMessageError('hostId is missing');
    };
    const { logger } = await startService(s, moduleFor(s.subject('hosts'), probe));

    await client.publishEvent(s.subject('hosts'), { nothing: true });
    await client.publishEvent(s.subject('hosts'), { hostId: 'host-2' });

    await settled(s, 'hosts', 2);
    expect(probe.calls.map((c) => [c.seq, c.deliveryCount])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(logger.at('error')).toEqual([expect.objectContaining({ streamSeq: 1, reason: 'hostId is missing' })]);
  });

  it('terminates a message that fails @Payload validation (400) when JetStreamExceptionFilter is registered', async () => {
    const s = scenario();
    const handled: string[] = [];
    class HostReported {
      @IsString()
      hostId!: string;
    }
    @Controller()
    class Handlers {
      @EventPattern<string>(s.subject('validated'))
      handle(@Payload(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })) dto: HostReported): void {
        handled.push(dto.hostId);
      }
    }
    @Module({ controllers: [Handlers] })
    class ValidatedModule {}
    const { logger } = await startService(s, ValidatedModule, {}, withFilter);

    await client.publishEvent(s.subject('validated'), { hostId: 42 });
    await client.publishEvent(s.subject('validated'), { hostId: 'host-3' });

    await settled(s, 'validated', 2);
    expect(handled).toEqual(['host-3']);
    expect(logger.at('error')).toEqual([
      expect.objectContaining({ streamSeq: 1, deliveryCount: 1, reason: expect.stringContaining('hostId must be a string') }),
    ]);
  });

  it('gives a message up as a dead letter after maxDeliver failed deliveries', async () => {
    const s = scenario();
    const probe = new Probe();
    probe.behaviour = (data) => {
      if ((data as { n: number }).n === 1) throw new Error('always failing');
    };
    const { logger } = await startService(s, moduleFor(s.subject('flaky'), probe), { maxDeliver: 3, nakDelayMs: 20 }, withFilter);

    await client.publishEvent(s.subject('flaky'), { n: 1 });
    await client.publishEvent(s.subject('flaky'), { n: 2 });

    await settled(s, 'flaky', 2);
    expect(probe.calls.map((c) => [c.n, c.deliveryCount])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
    ]);
    expect(logger.at('error')).toEqual([
      expect.objectContaining({ streamSeq: 1, deliveryCount: 3, reason: 'gave up after 3 deliveries: always failing' }),
    ]);
  });

  it('classifies failures the same in a hybrid HTTP app, with the filter on the connected microservice', async () => {
    const s = scenario();
    const probe = new Probe();
    probe.behaviour = (data) => {
      if ((data as { n: number }).n === 1) throw new InvalidMessageError('bad one');
      if ((data as { n: number }).n === 2) throw new Error('passing');
    };
    const logger = new CapturingLogger();
    const http = await NestFactory.create(moduleFor(s.subject('hybrid'), probe), { logger: false, abortOnError: false });
    // Handlers are bound when the microservice initialises: defer that until the filter is in place.
    const microservice = http.connectMicroservice<MicroserviceOptions>(
      {
        strategy: new JetStreamServer({
          connection: async () => nc,
          durablePrefix: s.prefix,
          streams: [{ name: s.stream, subjects: [s.subject('>')] }],
          nakDelayMs: 20,
          maxDeliver: 2,
          logger,
        }),
      },
      { deferInitialization: true },
    );
    withFilter(microservice);
    await http.startAllMicroservices();
    await http.init();
    try {
      await client.publishEvent(s.subject('hybrid'), { n: 1 });
      await client.publishEvent(s.subject('hybrid'), { n: 2 });

      await settled(s, 'hybrid', 2);
      expect(logger.at('warn')).toEqual([expect.objectContaining({ streamSeq: 2, error: 'passing' })]);
      expect(logger.at('error')).toEqual([
        expect.objectContaining({ streamSeq: 1, reason: 'bad one' }),
        expect.objectContaining({ streamSeq: 2, reason: 'gave up after 2 deliveries: passing' }),
      ]);
    } finally {
      await http.close();
    }
  });

  it('classifies failures in a hybrid app that shares its HTTP config, with the filter on the handlers class', async () => {
    const s = scenario();
    const handled: string[] = [];
    const rpcErrorsSeenByHttpFilter: unknown[] = [];
    class HostReported {
      @IsString()
      hostId!: string;
    }
    @Controller()
    @UseFilters(JetStreamExceptionFilter)
    class Handlers {
      @EventPattern<string>(s.subject('shared'))
      handle(@Payload() dto: HostReported, @Ctx() ctx: JetStreamContext): void {
        if (dto.hostId === 'unknown') throw new InvalidMessageError('no such host');
        if (dto.hostId === 'flaky' && ctx.getDeliveryCount() === 1) throw new Error('passing');
        handled.push(dto.hostId);
      }
    }
    @Module({ controllers: [Handlers] })
    class SharedModule {}
    @Catch()
    class HttpErrorFilter implements ExceptionFilter {
      catch(exception: unknown, host: ArgumentsHost): void {
        if (host.getType() === 'rpc') rpcErrorsSeenByHttpFilter.push(exception);
        host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>().status(500).json({});
      }
    }
    const logger = new CapturingLogger();
    const http = await NestFactory.create(SharedModule, { logger: false, abortOnError: false });
    http.useGlobalFilters(new HttpErrorFilter());
    http.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    http.connectMicroservice<MicroserviceOptions>(
      {
        strategy: new JetStreamServer({
          connection: async () => nc,
          durablePrefix: s.prefix,
          streams: [{ name: s.stream, subjects: [s.subject('>')] }],
          nakDelayMs: 20,
          logger,
        }),
      },
      { inheritAppConfig: true },
    );
    await http.startAllMicroservices();
    await http.init();
    try {
      for (const hostId of [42, 'unknown', 'flaky', 'host-4']) await client.publishEvent(s.subject('shared'), { hostId });

      await settled(s, 'shared', 4);
      expect(handled).toEqual(['flaky', 'host-4']);
      expect(logger.at('error')).toEqual([
        expect.objectContaining({ streamSeq: 1, reason: expect.stringContaining('hostId must be a string') }),
        expect.objectContaining({ streamSeq: 2, reason: 'no such host' }),
      ]);
      expect(logger.at('warn')).toEqual([expect.objectContaining({ streamSeq: 3, error: 'passing' })]);
      expect(rpcErrorsSeenByHttpFilter).toEqual([]);
    } finally {
      await http.close();
    }
  });

  it('refuses to start when no stream holds a pattern', async () => {
    const s = scenario();

    await expect(startService(s, moduleFor('elsewhere.events', new Probe()))).rejects.toThrow(
      /no stream holds the subjects of @EventPattern\("elsewhere.events"\)/,
    );
  });
});

// ---- durability, order, concurrency -----------------------------------------------------------

describe('JetStreamServer durability', () => {
  it('resumes its durable consumer after a restart: what was published meanwhile arrives, nothing twice', async () => {
    const s = scenario();
    const probe = new Probe();
    const module = moduleFor(s.subject('jobs'), probe);
    const first = await startService(s, module);
    await client.publishEvent(s.subject('jobs'), { n: 1 });
    await settled(s, 'jobs', 1);

    await first.app.close();
    await client.publishEvent(s.subject('jobs'), { n: 2 });
    await client.publishEvent(s.subject('jobs'), { n: 3 });
    expect((await s.consumer('jobs')).num_pending).toBe(2);

    await startService(s, module);

    await settled(s, 'jobs', 3);
    expect(probe.calls.map((c) => [c.n, c.deliveryCount])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  });

  it('handles one message at a time, in stream order, a redelivered one included', async () => {
    const s = scenario();
    const probe = new Probe();
    let active = 0;
    let mostActive = 0;
    probe.behaviour = async (data, ctx) => {
      const { n } = data as { n: number };
      active++;
      mostActive = Math.max(mostActive, active);
      await sleep(n % 3);
      active--;
      if (n === 7 && ctx.getDeliveryCount() === 1) throw new Error('transient');
    };
    await startService(s, moduleFor(s.subject('ordered'), probe));

    for (let n = 0; n < 30; n++) await client.publishEvent(s.subject('ordered'), { n });

    await settled(s, 'ordered', 30);
    const upTo = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
    expect(probe.calls.map((c) => c.n)).toEqual([...upTo(8), 7, ...upTo(30).slice(8)]);
    expect(mostActive).toBe(1);
  });

  it('overlaps up to maxConcurrent messages of one consumer when asked to', async () => {
    const s = scenario();
    const probe = new Probe();
    const handlers = gate();
    let active = 0;
    let mostActive = 0;
    probe.behaviour = async () => {
      active++;
      mostActive = Math.max(mostActive, active);
      await handlers.passed;
      active--;
    };
    await startService(s, moduleFor(s.subject('parallel'), probe), { maxConcurrent: 3 });

    for (let n = 0; n < 7; n++) await client.publishEvent(s.subject('parallel'), { n });

    await eventually(() => expect(active).toBe(3));
    expect((await s.consumer('parallel')).num_ack_pending).toBe(3);
    handlers.open();
    await settled(s, 'parallel', 7);
    expect(mostActive).toBe(3);
    expect(probe.calls).toHaveLength(7);
  });

  it('close() waits for the message in hand and acks it', async () => {
    const s = scenario();
    const probe = new Probe();
    const handler = gate();
    probe.behaviour = () => handler.passed;
    const { app } = await startService(s, moduleFor(s.subject('slow'), probe));
    await client.publishEvent(s.subject('slow'), { n: 1 });
    await eventually(() => expect(probe.calls).toHaveLength(1));

    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    handler.open();
    await closing;

    const info = await s.consumer('slow');
    expect({ ackFloor: info.ack_floor.stream_seq, ackPending: info.num_ack_pending }).toEqual({ ackFloor: 1, ackPending: 0 });
  });

  it('recreates its consumer when the consumer is deleted under it', async () => {
    const s = scenario();
    const probe = new Probe();
    const { logger } = await startService(s, moduleFor(s.subject('kept'), probe));
    await client.publishEvent(s.subject('kept'), { n: 1 });
    await settled(s, 'kept', 1);

    await jsm.consumers.delete(s.stream, consumerName(s.prefix, s.subject('kept')));
    await client.publishEvent(s.subject('kept'), { n: 2 });

    await settled(s, 'kept', 2);
    // The new consumer starts from the beginning of the stream: n=1 comes again, as at-least-once allows.
    expect(probe.calls.map((c) => c.n)).toEqual([1, 1, 2]);
    expect(logger.at('log')).toContainEqual(
      expect.objectContaining({ msg: 'consumer resumed', consumer: consumerName(s.prefix, s.subject('kept')) }),
    );
  });
});
