import type { LoggerService } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  type Consumer,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { deadLetterOf, type DeadLetter } from './dead-letter.js';
import { classifyFailure, describeError, nakDelay } from './failure-policy.js';
import { JetStreamContext } from './jetstream.context.js';

export interface ConsumerBinding {
  stream: string;
  /** Durable consumer name. */
  name: string;
  /** The `@EventPattern`, used as the consumer's filter subject. */
  pattern: string;
}

export interface ConsumerSettings {
  ackWaitMs: number;
  /** Deliveries before a failing message is given up as a dead letter; -1 for never. */
  maxDeliver: number;
  nakDelayMs: number;
  maxNakDelayMs: number;
  maxConcurrent: number;
}

export interface ConsumerRunnerDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  logger: LoggerService;
  /** Runs the handler; resolves when it has finished, rejects with its error. */
  dispatch(data: unknown, ctx: JetStreamContext): Promise<void>;
  deadLetter(entry: DeadLetter): void;
  /** A message came again (after a nak, a failure or a missed ack). */
  redelivered(consumer: string, msg: JsMsg): void;
  /** Creates the consumer's stream again when it was deleted (the transport knows its spec). */
  recreateStream?(stream: string): Promise<boolean>;
}

const RESTART_DELAYS_MS = [250, 500, 1000, 2000, 5000];

/**
 * One durable pull consumer and the loop that feeds its messages to a handler. Messages are acked
 * only after the handler finished. The consumer's max_ack_pending equals maxConcurrent, so with
 * the default of 1 the server hands out the next message only once the previous one is settled:
 * processing follows stream order even across redeliveries and across service instances.
 */
export class ConsumerRunner {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> = Promise.resolve();
  private stopping = false;
  /** Messages handed to the handler so far. */
  private started = 0;
  private signalStop!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.signalStop = resolve));
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(
    readonly binding: ConsumerBinding,
    private readonly settings: ConsumerSettings,
    private readonly deps: ConsumerRunnerDeps,
  ) {}

  /** Creates or updates the consumer and starts consuming; rejects when that cannot be done. */
  async start(): Promise<void> {
    const messages = await this.subscribe();
    if (this.stopping) {
      await messages.close();
      return;
    }
    this.loop = this.run(messages);
  }

  /** Stops pulling, lets the messages in hand finish (and be acked), returns the rest for redelivery. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop();
    await this.messages?.close();
    await this.loop;
  }

  private async subscribe(): Promise<ConsumerMessages> {
    const consumer = await this.ensureConsumer();
    const messages = await consumer.consume({
      max_messages: this.settings.maxConcurrent,
      // A deleted consumer or stream ends the iteration, and run() recreates them.
      abort_on_missing_resource: true,
    });
    this.messages = messages;
    return messages;
  }

  private async run(first: ConsumerMessages): Promise<void> {
    let messages: ConsumerMessages | null = first;
    let restarts = 0;
    while (!this.stopping) {
      if (messages) {
        const startedBefore = this.started;
        try {
          await this.drain(messages);
          if (!this.stopping) this.warn('consumer stopped unexpectedly', {});
        } catch (err) {
          if (!this.stopping) this.warn('consumer failed', { error: describeError(err) });
        }
        // A consumer that delivered something was healthy: its next failure starts the delays afresh.
        if (this.started > startedBefore) restarts = 0;
        messages = null;
      }
      if (this.stopping) break;
      if (this.deps.nc.isClosed()) {
        this.warn('connection closed; consumer stopped', {});
        break;
      }
      await this.pause(RESTART_DELAYS_MS[Math.min(restarts++, RESTART_DELAYS_MS.length - 1)]);
      if (this.stopping) break;
      try {
        messages = await this.subscribe();
        if (this.stopping) await messages.close();
        else this.deps.logger.log({ msg: 'consumer resumed', ...this.where() });
      } catch (err) {
        this.warn('consumer could not be resumed', { error: describeError(err) });
      }
    }
  }

  /** Feeds the messages to the handler until the iteration ends. */
  private async drain(messages: ConsumerMessages): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    try {
      for await (const msg of messages) {
        if (this.stopping) {
          // Pulled but not started: hand it back now rather than after ack_wait.
          msg.nak();
          continue;
        }
        this.started++;
        const done: Promise<void> = this.process(msg).finally(() => inFlight.delete(done));
        inFlight.add(done);
        if (inFlight.size >= this.settings.maxConcurrent) await Promise.race(inFlight);
      }
    } finally {
      await Promise.all(inFlight);
    }
  }

  /** Never rejects: one message must not stop the consumer. */
  private async process(msg: JsMsg): Promise<void> {
    try {
      if (msg.info.redelivered) this.deps.redelivered(this.binding.name, msg);
      let data: unknown;
      try {
        data = JSON.parse(this.utf8.decode(msg.data));
      } catch (err) {
        this.terminate(msg, `body is not valid JSON: ${describeError(err)}`);
        return;
      }
      const ctx = new JetStreamContext([msg, this.binding.pattern, this.binding.name]);
      // A slow handler keeps its message: without this the server would redeliver it after ack_wait.
      const keepAlive = setInterval(() => msg.working(), Math.max(this.settings.ackWaitMs / 2, 100));
      keepAlive.unref();
      try {
        await this.deps.dispatch(data, ctx);
      } catch (err) {
        this.fail(msg, err);
        return;
      } finally {
        clearInterval(keepAlive);
      }
      msg.ack();
    } catch (err) {
      // Only acking or logging can land here, e.g. when the connection closed under us.
      this.deps.logger.error({
        msg: 'message could not be settled',
        ...this.where(),
        streamSeq: msg.seq,
        error: describeError(err),
      });
    }
  }

  private fail(msg: JsMsg, err: unknown): void {
    const failure = classifyFailure(err);
    if (failure.kind === 'poison') {
      this.terminate(msg, failure.reason);
      return;
    }
    const deliveries = msg.info.deliveryCount;
    const { maxDeliver, nakDelayMs, maxNakDelayMs } = this.settings;
    if (maxDeliver > 0 && deliveries >= maxDeliver) {
      this.terminate(msg, `gave up after ${deliveries} deliveries: ${failure.reason}`);
      return;
    }
    const retryInMs = nakDelay(deliveries, nakDelayMs, maxNakDelayMs);
    msg.nak(retryInMs);
    this.warn('event handler failed; message will be redelivered', {
      subject: msg.subject,
      streamSeq: msg.seq,
      deliveryCount: deliveries,
      retryInMs,
      error: failure.reason,
    });
  }

  private terminate(msg: JsMsg, reason: string): void {
    // Recorded before the term, so a crash in between redelivers instead of losing the record.
    this.deps.deadLetter(deadLetterOf(msg, this.binding.name, reason));
    msg.term();
  }

  private async ensureConsumer(): Promise<Consumer> {
    const { stream, name, pattern } = this.binding;
    const { ackWaitMs, maxDeliver, maxConcurrent } = this.settings;
    const tunable = { ack_wait: nanos(ackWaitMs), max_deliver: maxDeliver, max_ack_pending: maxConcurrent };
    let info = await this.consumerInfo();
    if (!info) {
      const config: Partial<ConsumerConfig> = {
        durable_name: name,
        filter_subject: pattern,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        replay_policy: ReplayPolicy.Instant,
        ...tunable,
      };
      try {
        info = await this.deps.jsm.consumers.add(stream, config);
      } catch (err) {
        // Another instance of the service may have created it first.
        info = await this.consumerInfo();
        if (!info) throw err;
      }
    }
    if (info.config.filter_subject !== pattern) {
      throw new Error(`consumer ${name} on stream ${stream} filters "${info.config.filter_subject}", not "${pattern}"`);
    }
    const { config } = info;
    if (
      config.ack_wait !== tunable.ack_wait ||
      config.max_deliver !== tunable.max_deliver ||
      config.max_ack_pending !== tunable.max_ack_pending
    ) {
      info = await this.deps.jsm.consumers.update(stream, name, tunable);
    }
    return this.deps.js.consumers.getConsumerFromInfo(info);
  }

  private async consumerInfo(): Promise<ConsumerInfo | null> {
    try {
      return await this.deps.jsm.consumers.info(this.binding.stream, this.binding.name);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return null;
      // The stream itself was deleted: a stream this service declares is created again (and the
      // relay of an event stream then republishes its log into it); the consumer follows.
      if (
        err instanceof JetStreamApiError &&
        err.code === JetStreamApiCodes.StreamNotFound &&
        (await this.deps.recreateStream?.(this.binding.stream))
      ) {
        this.warn('stream was missing: created it again', {});
        return null;
      }
      throw err;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      void this.stopped.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private where(): { consumer: string; stream: string; pattern: string } {
    return { consumer: this.binding.name, stream: this.binding.stream, pattern: this.binding.pattern };
  }

  private warn(msg: string, fields: Record<string, unknown>): void {
    this.deps.logger.warn({ msg, ...this.where(), ...fields });
  }
}
