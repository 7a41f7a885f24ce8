import { Injectable } from '@nestjs/common';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Counter, Gauge } from 'prom-client';
import { CachedProbe } from './cached-probe.js';
import { MetricsRegistry } from './metrics-registry.js';

/** The durable consumers a service runs (JetStreamServer.consumers()). */
export interface ConsumerSource {
  consumers(): ReadonlyArray<{ stream: string; name: string }>;
}

const PENDING_MAX_AGE_MS = 3000;
const SCRAPE_WAIT_MS = 1000;

/** What the service's JetStream consumers did: redeliveries, dead letters, and what waits for them. */
@Injectable()
export class TransportMetrics {
  private readonly redeliveries: Counter<'consumer'>;
  private readonly deadLetters: Counter<'consumer'>;
  private pending: CachedProbe<Map<string, number>> | null = null;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.redeliveries = new Counter({
      name: 'vnet_consumer_redeliveries_total',
      help: 'Messages delivered again to a consumer (after a failure, a nak or a missed ack), by consumer',
      labelNames: ['consumer'] as const,
      registers,
    });
    this.deadLetters = new Counter({
      name: 'vnet_dead_letters_total',
      help: 'Messages a consumer gave up on (terminated as dead letters), by consumer',
      labelNames: ['consumer'] as const,
      registers,
    });
    const pendingNow = () => this.pending?.get() ?? Promise.resolve(new Map<string, number>());
    new Gauge({
      name: 'vnet_consumer_pending_messages',
      help: 'Messages in the stream not yet delivered to the consumer (JetStream consumer info, read at most every 3 s)',
      labelNames: ['consumer'] as const,
      registers,
      async collect() {
        this.reset();
        const pending = await pendingNow();
        for (const [consumer, n] of pending) this.set({ consumer }, n);
      },
    });
  }

  /** Starts reporting the consumers' backlog, read from JetStream at scrape time (never waiting on a down NATS). */
  watch(nc: NatsConnection, source: ConsumerSource): void {
    let jsm: Promise<JetStreamManager> | null = null;
    this.pending = new CachedProbe(
      async () => {
        jsm ??= jetstreamManager(nc).catch((err: unknown) => {
          jsm = null;
          throw err;
        });
        const manager = await jsm;
        const infos = await Promise.all(source.consumers().map(({ stream, name }) => manager.consumers.info(stream, name)));
        return new Map(infos.map((info) => [info.name, info.num_pending]));
      },
      new Map(),
      { maxAgeMs: PENDING_MAX_AGE_MS, waitMs: SCRAPE_WAIT_MS },
    );
  }

  redelivered(consumer: string): void {
    this.redeliveries.inc({ consumer });
  }

  deadLettered(consumer: string): void {
    this.deadLetters.inc({ consumer });
  }
}
