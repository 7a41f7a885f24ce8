import { Logger, type LoggerService } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { lastValueFrom } from 'rxjs';
import { ConsumerRunner, type ConsumerBinding, type ConsumerSettings } from './consumer-runner.js';
import { deadLetterSubject, type DeadLetter } from './dead-letter.js';
import { JetStreamContext } from './jetstream.context.js';
import { ensureStream, type StreamSpec } from './streams.js';
import { consumerName, isValidName, isValidSubject, subjectCovers } from './subjects.js';

/** Pass as the transport of `@EventPattern(pattern, JETSTREAM_TRANSPORT)` to bind a handler to this transport only. */
export const JETSTREAM_TRANSPORT = Symbol('JETSTREAM');

/** How long the server waits for a delivered message's ack before delivering it again. */
export const DEFAULT_ACK_WAIT_MS = 5_000;

export interface JetStreamServerOptions {
  /** The application's shared connection. The server never closes it. */
  connection: () => Promise<NatsConnection>;
  /** The service's name: prefixes its durable consumers and names its dead-letter subject. */
  durablePrefix: string;
  /** Streams this service ensures at boot. Patterns outside them are looked up on the server. */
  streams: StreamSpec[];
  /** How long the server waits for an ack before redelivering; default DEFAULT_ACK_WAIT_MS. Slow handlers are kept alive. */
  ackWaitMs?: number;
  /** Deliveries of a failing message before it becomes a dead letter; default 20, -1 for never. */
  maxDeliver?: number;
  /** Redelivery delay after the first failure, doubling with each delivery; default 1 s. */
  nakDelayMs?: number;
  /** Cap of the redelivery delay; default 30 s. */
  maxNakDelayMs?: number;
  /** Messages of one consumer processed at the same time; default 1, which keeps stream order. */
  maxConcurrent?: number;
  logger?: LoggerService;
}

export type JetStreamServerStatus = 'connected' | 'disconnected';

export type JetStreamServerEvents = {
  /** A message was terminated; the entry is also logged and published on `deadletter.<durablePrefix>`. */
  deadLetter: (entry: DeadLetter) => void;
  /** A message was delivered again to `consumer` (its `deliveryCount` says how often it came). */
  redelivery: (entry: { consumer: string; stream: string; subject: string; deliveryCount: number }) => void;
};

/**
 * NestJS transport that feeds `@EventPattern` handlers from JetStream: one durable pull consumer
 * per pattern, acked after the handler completes, retried with a growing delay when it fails, and
 * terminated as a dead letter when the message can never succeed.
 */
export class JetStreamServer extends Server<JetStreamServerEvents, JetStreamServerStatus> implements CustomTransportStrategy {
  override readonly transportId = JETSTREAM_TRANSPORT;
  // Handler failures are awaited and reported here (warning or dead letter), not by Nest.
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger: LoggerService;

  private readonly settings: ConsumerSettings;
  private readonly deadLetterListeners = new Set<JetStreamServerEvents['deadLetter']>();
  private readonly redeliveryListeners = new Set<JetStreamServerEvents['redelivery']>();
  private runners: ConsumerRunner[] = [];
  private nc: NatsConnection | null = null;
  private closing = false;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    if (!isValidName(options.durablePrefix)) {
      throw new Error(`durablePrefix "${options.durablePrefix}" must match [A-Za-z0-9_-]+`);
    }
    this.logger = options.logger ?? new Logger(JetStreamServer.name);
    this.settings = {
      // What a consumer killed mid-message leaves pulled but unacked comes again after this, and a
      // consumer taking one message at a time waits for it: short, with a running handler keeping
      // its message by `working()` every half of it.
      ackWaitMs: options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
      maxDeliver: options.maxDeliver ?? 20,
      nakDelayMs: options.nakDelayMs ?? 1_000,
      maxNakDelayMs: options.maxNakDelayMs ?? 30_000,
      maxConcurrent: options.maxConcurrent ?? 1,
    };
    const { maxConcurrent, maxDeliver, ackWaitMs } = this.settings;
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new Error(`maxConcurrent must be a positive integer, got ${maxConcurrent}`);
    }
    if (!Number.isInteger(maxDeliver) || (maxDeliver < 1 && maxDeliver !== -1)) {
      throw new Error(`maxDeliver must be a positive integer or -1, got ${maxDeliver}`);
    }
    if (!(ackWaitMs > 0)) throw new Error(`ackWaitMs must be positive, got ${ackWaitMs}`);
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    const runners = this.runners;
    this.runners = [];
    await Promise.all(runners.map((runner) => runner.stop()));
    // Acks and unsubscriptions must reach the server before the next owner of these consumers starts.
    if (this.nc && !this.nc.isClosed()) await this.nc.flush().catch(() => undefined);
    this.nc = null;
    this._status$.next('disconnected');
  }

  on<
    EventKey extends keyof JetStreamServerEvents = keyof JetStreamServerEvents,
    EventCallback extends JetStreamServerEvents[EventKey] = JetStreamServerEvents[EventKey],
  >(event: EventKey, callback: EventCallback): void {
    if (event === 'deadLetter') this.deadLetterListeners.add(callback as JetStreamServerEvents['deadLetter']);
    else if (event === 'redelivery') this.redeliveryListeners.add(callback as JetStreamServerEvents['redelivery']);
    else throw new Error(`JetStreamServer has no "${String(event)}" event`);
  }

  /** The durable consumers running now (empty until listening). */
  consumers(): ConsumerBinding[] {
    return this.runners.map((runner) => runner.binding);
  }

  /** The NATS connection the consumers use. */
  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamServer is not listening: call listen() first');
    return this.nc as T;
  }

  private async start(): Promise<void> {
    this.closing = false;
    const bindings = this.bindings();
    const nc = await this.options.connection();
    this.nc = nc;
    const jsm = await jetstreamManager(nc);
    for (const spec of this.options.streams) await ensureStream(jsm, spec);
    for (const binding of bindings) binding.stream = await this.streamFor(jsm, binding.pattern);
    this.assertOpen();

    const deps = {
      nc,
      jsm,
      js: jsm.jetstream(),
      logger: this.logger,
      deadLetter: (entry: DeadLetter) => this.recordDeadLetter(entry),
      recreateStream: async (stream: string) => {
        const spec = this.options.streams.find((s) => s.name === stream);
        if (!spec) return false;
        await ensureStream(jsm, spec);
        return true;
      },
      redelivered: (consumer: string, msg: JsMsg) => {
        const entry = { consumer, stream: msg.info.stream, subject: msg.subject, deliveryCount: msg.info.deliveryCount };
        for (const listener of this.redeliveryListeners) {
          try {
            listener(entry);
          } catch (err) {
            this.logger.warn({ msg: 'redelivery listener failed', error: String(err) });
          }
        }
      },
    };
    this.runners = bindings.map(
      (binding) =>
        new ConsumerRunner(binding, this.settings, {
          ...deps,
          dispatch: (data, ctx) => this.dispatch(this.messageHandlers.get(binding.pattern)!, data, ctx),
        }),
    );
    try {
      await Promise.all(this.runners.map((runner) => runner.start()));
      this.assertOpen();
    } catch (err) {
      await this.close();
      throw err;
    }
    for (const { binding } of this.runners) this.logger.log({ msg: 'consuming', ...binding });
    this._status$.next('connected');
  }

  /** One consumer per event pattern; anything the transport cannot serve fails the boot, loudly. */
  private bindings(): ConsumerBinding[] {
    const byName = new Map<string, string>();
    const bindings: ConsumerBinding[] = [];
    for (const [pattern, handler] of this.messageHandlers) {
      if (!handler.isEventHandler) {
        throw new Error(`@MessagePattern("${pattern}"): the JetStream transport carries events only (@EventPattern)`);
      }
      if (!isValidSubject(pattern)) throw new Error(`@EventPattern("${pattern}") is not a valid NATS subject`);
      const name = consumerName(this.options.durablePrefix, pattern);
      const clash = byName.get(name);
      if (clash) throw new Error(`@EventPattern("${pattern}") and ("${clash}") would share consumer ${name}`);
      byName.set(name, pattern);
      bindings.push({ stream: '', name, pattern });
    }
    return bindings;
  }

  private async streamFor(jsm: JetStreamManager, pattern: string): Promise<string> {
    const own = this.options.streams.find((spec) => spec.subjects.some((subject) => subjectCovers(subject, pattern)));
    if (own) return own.name;
    try {
      return await jsm.streams.find(pattern);
    } catch (err) {
      throw new Error(`no stream holds the subjects of @EventPattern("${pattern}")`, { cause: err });
    }
  }

  /** Resolves once the handler (promise or observable, with Nest's hooks around it) has finished. */
  private dispatch(handler: MessageHandler, data: unknown, ctx: JetStreamContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const started: unknown = this.runWithProcessingHooks(ctx, async (runEndHook) => {
        try {
          await lastValueFrom(this.transformToObservable(await handler(data, ctx)), { defaultValue: undefined });
          resolve();
        } catch (err) {
          reject(err);
        } finally {
          runEndHook();
        }
      });
      // A processing-start hook that fails before running the handler fails the message too.
      Promise.resolve(started).catch(reject);
    });
  }

  private recordDeadLetter(entry: DeadLetter): void {
    this.logger.error({ msg: 'dead letter', ...entry });
    try {
      this.nc?.publish(deadLetterSubject(this.options.durablePrefix), JSON.stringify(entry));
    } catch (err) {
      this.logger.warn({ msg: 'dead letter not published', consumer: entry.consumer, error: String(err) });
    }
    for (const listener of this.deadLetterListeners) {
      try {
        listener(entry);
      } catch (err) {
        this.logger.warn({ msg: 'deadLetter listener failed', error: String(err) });
      }
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('JetStreamServer was closed while starting');
  }
}
