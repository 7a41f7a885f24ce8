import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { LogCursor, RecordedEvent } from '../store/event.js';
import { MetricsRegistry } from './metrics-registry.js';
import { RelayLag } from './relay-lag.js';

/** The log and its relay: what was appended, and how far publishing to JetStream is behind. */
@Injectable()
export class EventLogMetrics {
  private readonly lag = new RelayLag();
  private readonly backlog = { events: 0 };
  private readonly appended: Counter<'type'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    const lag = this.lag;
    const backlog = this.backlog;
    this.appended = new Counter({
      name: 'vnet_events_appended_total',
      help: 'Events appended to this service’s log (committed), by event type',
      labelNames: ['type'] as const,
      registers,
    });
    new Gauge({
      name: 'vnet_relay_lag_events',
      help: 'Events recorded that the relay has not yet published to JetStream (by this process, or the whole log while it republishes into a recreated stream)',
      registers,
      collect() {
        this.set(lag.events + backlog.events);
      },
    });
    new Gauge({
      name: 'vnet_relay_last_publish_timestamp_seconds',
      help: 'When the relay last published a batch of events (unix seconds; 0 while it has not since start)',
      registers,
      collect() {
        this.set((lag.lastPublishedAtMs ?? 0) / 1000);
      },
    });
  }

  /** A transaction that appended events committed (EventLog.onCommitted). */
  committed(events: readonly RecordedEvent[]): void {
    for (const e of events) this.appended.inc({ type: e.type });
    this.lag.recorded(events);
  }

  /** Events left while the relay republishes the log into a recreated stream (RelayOptions.onBacklog). */
  relayBacklog(events: number): void {
    this.backlog.events = events;
  }

  /** The relay's checkpoint moved (RelayOptions.onProgress). */
  relayProgressed(cursor: LogCursor, atMs: number): void {
    this.lag.progressed(cursor, atMs);
  }
}
