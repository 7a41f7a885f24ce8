import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { HOST_REPORTS_STREAM_SPEC, hostReportSubject, type LogicalNetworkConstruct } from '@vnet/contracts';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { CORRELATION_ID_HEADER, ensureStream, MetricsRegistry } from '@vnet/events';
import { Counter } from 'prom-client';
import { BOOT_ID } from '../common/boot-id.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { HOST_NATS, type HostNats } from '../common/host-nats.js';
import { Semaphore } from '../common/semaphore.js';
import { TimerWheel } from '../common/timer-wheel.js';
import type { ManagementLink } from '../link/management-link.js';
import { ConstructCatalog } from '../network-switch/construct-catalog.js';
import type { HostReportState } from './host-report-state.js';
import type { ReportExtras } from './report-plan.js';
import { catalogBytes, type ConstructBytes, encodeReport, reportMsgId } from './report-codec.js';

/** A host as its reports see it. */
export interface Reporter {
  readonly id: string;
  readonly link: ManagementLink;
  readonly reports: HostReportState;
  /** What the host has on disk. */
  durableConstructs(): LogicalNetworkConstruct[];
  /** Its logical ports and switch revisions, as reports carry them. */
  reportExtras(): ReportExtras;
}

/** At most one report per host per tick: changes of a burst leave together. */
const TICK_MS = 100;
const PUBLISH_TIMEOUT_MS = 5000;
const RETRY_MS = 1000;
/** Publishes awaiting their ack at once, over all hosts: bounds the encoded reports in memory. */
const IN_FLIGHT = 64;

/**
 * Sends hosts' reports to HOST_REPORTS with JetStream, through each host's link: per host one
 * message at a time and in seq order, `Nats-Msg-Id` `<hostId>:<bootId>:<seq>` so that a retried
 * publish is stored once. A publish that fails (NATS away) is retried; a link that cuts drops what
 * waits (the host sends a full report when its traffic returns).
 */
@Injectable()
export class ReportPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger('Reports');
  private readonly dirty = new Set<Reporter>();
  private readonly slots = new Semaphore(IN_FLIGHT);
  private readonly retries = new TimerWheel(100);
  private timer: NodeJS.Timeout | null = null;
  private stream: Promise<JetStreamClient> | null = null;
  private stopped = false;
  private failures = 0;
  private readonly bytes: ConstructBytes;
  private readonly published: Counter;
  private readonly failed: Counter;

  constructor(
    @Inject(HOST_NATS) private readonly nats: HostNats,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BOOT_ID) private readonly bootId: string,
    @Inject(ConstructCatalog) catalog: ConstructCatalog,
    metrics: MetricsRegistry,
  ) {
    this.bytes = catalogBytes(catalog);
    const registers = [metrics.registry];
    this.published = new Counter({
      name: 'vnet_host_agent_reports_published_total',
      help: 'Report messages stored by JetStream',
      registers,
    });
    this.failed = new Counter({
      name: 'vnet_host_agent_report_publish_failures_total',
      help: 'Report publishes that failed and wait to be retried',
      registers,
    });
  }

  markDirty(host: Reporter): void {
    this.dirty.add(host);
    if (!this.timer && !this.stopped) this.timer = setTimeout(() => this.tick(), TICK_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.retries.stop();
  }

  private tick(): void {
    this.timer = null;
    const hosts = [...this.dirty];
    this.dirty.clear();
    for (const host of hosts) {
      if (host.reports.sending) continue; // the running pump looks again when it is done
      if (!host.link.flows) {
        host.reports.drop();
        continue;
      }
      host.reports.plan(() => host.durableConstructs(), () => host.reportExtras());
      if (host.reports.outbox.length > 0) void this.pump(host);
    }
  }

  private async pump(host: Reporter): Promise<void> {
    const r = host.reports;
    r.sending = true;
    let retry = false;
    try {
      const js = await this.ensureStream();
      while (r.outbox.length > 0) {
        await this.slots.acquire();
        try {
          if (!host.link.flows) {
            r.drop();
            return;
          }
          const plan = r.outbox[0];
          const sentAt = new Date(this.clock.now()).toISOString();
          const payload = encodeReport(plan, { hostId: host.id, bootId: this.bootId, sentAt }, this.bytes);
          await js.publish(hostReportSubject(host.id), payload, {
            msgID: reportMsgId(host.id, this.bootId, plan.seq),
            ...(plan.correlationId ? { headers: correlationHeaders(plan.correlationId) } : {}),
          });
        } finally {
          this.slots.release();
        }
        r.outbox.shift();
        this.published.inc();
      }
    } catch (err) {
      retry = true;
      this.failures++;
      this.failed.inc();
      if (this.failures === 1 || this.failures % 1000 === 0) {
        this.logger.warn({
          msg: 'report publish failed, retrying',
          hostId: host.id,
          failures: this.failures,
          error: String((err as Error)?.message ?? err),
        });
      }
    } finally {
      r.sending = false;
      if (retry) this.retries.schedule(RETRY_MS, () => this.markDirty(host));
      else if (r.hasWork) this.markDirty(host);
    }
  }

  /** The JetStream client, once NATS is reached and HOST_REPORTS exists. */
  private ensureStream(): Promise<JetStreamClient> {
    this.stream ??= (async () => {
      const nc = await this.nats.connected();
      await ensureStream(await jetstreamManager(nc), HOST_REPORTS_STREAM_SPEC);
      return jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS });
    })().catch((err: unknown) => {
      this.stream = null;
      throw err;
    });
    return this.stream;
  }
}

/** The headers that carry a correlation id on to the managers (they record the report under it). */
function correlationHeaders(correlationId: string) {
  const h = natsHeaders();
  h.set(CORRELATION_ID_HEADER, correlationId);
  return h;
}
