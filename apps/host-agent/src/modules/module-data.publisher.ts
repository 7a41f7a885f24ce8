import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { moduleDataSubject } from '@vnet/contracts';
import { CORRELATION_ID_HEADER, MetricsRegistry } from '@vnet/events';
import { Counter } from 'prom-client';
import { HOST_NATS, type HostNats } from '../common/host-nats.js';
import { Semaphore } from '../common/semaphore.js';
import { TimerWheel } from '../common/timer-wheel.js';
import type { ManagementLink } from '../link/management-link.js';
import type { HostModules } from './host-modules.js';

/** A host as its module data sees it. */
export interface ModuleDataSender {
  readonly id: string;
  readonly link: ManagementLink;
  readonly modules: HostModules;
}

const TICK_MS = 20;
const PUBLISH_TIMEOUT_MS = 5000;
const RETRY_MS = 1000;
/** Publishes awaiting their ack at once, over all hosts. */
const IN_FLIGHT = 64;

/** The Nats-Msg-Id of a message: JetStream stores a message sent again under it once. */
export const moduleDataMsgId = (hostId: string, id: string): string => `${hostId}:${id}`;

/**
 * Sends what host modules sent up to HOST_MODULE_DATA with JetStream, through each host's link:
 * per host one message at a time, oldest first, each with its own id as `Nats-Msg-Id`. A message
 * leaves the host's outbox once JetStream acknowledged it; a failed publish is tried again while the
 * link flows; a cut link stops the sending (nothing passes it), and the host's outbox is sent when
 * its traffic returns. No timer per host: one tick and one retry wheel for the process.
 */
@Injectable()
export class ModuleDataPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger('ModuleData');
  private readonly dirty = new Set<ModuleDataSender>();
  private readonly slots = new Semaphore(IN_FLIGHT);
  private readonly retries = new TimerWheel(100);
  private timer: NodeJS.Timeout | null = null;
  private client: Promise<JetStreamClient> | null = null;
  private stopped = false;
  private failures = 0;
  private readonly published: Counter;
  private readonly failed: Counter;

  constructor(
    @Inject(HOST_NATS) private readonly nats: HostNats,
    metrics: MetricsRegistry,
  ) {
    const registers = [metrics.registry];
    this.published = new Counter({ name: 'vnet_host_agent_module_data_published_total', help: 'Module data messages stored by JetStream', registers });
    this.failed = new Counter({
      name: 'vnet_host_agent_module_data_publish_failures_total',
      help: 'Module data publishes that failed and wait to be retried',
      registers,
    });
  }

  /** The host's outbox may hold something to send. */
  markDirty(host: ModuleDataSender): void {
    if (this.stopped || host.modules.outbox.size === 0) return;
    this.dirty.add(host);
    if (!this.timer) this.timer = setTimeout(() => this.tick(), TICK_MS);
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
      // A cut link: kept in the outbox, sent when the link flows again (the host marks it then).
      if (!host.modules.sending && host.link.flows) void this.pump(host);
    }
  }

  private async pump(host: ModuleDataSender): Promise<void> {
    const modules = host.modules;
    modules.sending = true;
    let retry = false;
    try {
      const js = await this.jetstream();
      for (let item = modules.outbox.next(); item && host.link.flows; item = modules.outbox.next()) {
        await this.slots.acquire();
        try {
          if (!host.link.flows) break;
          const h = headers();
          h.set(CORRELATION_ID_HEADER, item.correlationId);
          await js.publish(moduleDataSubject(host.id), JSON.stringify(item.message), { msgID: moduleDataMsgId(host.id, item.message.id), headers: h });
        } finally {
          this.slots.release();
        }
        modules.outbox.delivered(item.message.id);
        this.published.inc();
      }
    } catch (err) {
      retry = true;
      this.failures++;
      this.failed.inc();
      if (this.failures === 1 || this.failures % 1000 === 0) {
        this.logger.warn({ msg: 'module data publish failed, retrying', hostId: host.id, failures: this.failures, error: String((err as Error)?.message ?? err) });
      }
    } finally {
      modules.sending = false;
      if (retry) this.retries.schedule(RETRY_MS, () => this.markDirty(host));
      else this.markDirty(host);
    }
  }

  /** The JetStream client, once NATS is reached. The stream is the compute manager's: a host creates none. */
  private jetstream(): Promise<JetStreamClient> {
    this.client ??= this.nats
      .connected()
      .then((nc) => jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS }))
      .catch((err: unknown) => {
        this.client = null;
        throw err;
      });
    return this.client;
  }
}
