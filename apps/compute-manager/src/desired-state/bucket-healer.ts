import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { HealthRegistry, NATS_CONNECTION } from '@vnet/events';
import { ComputeDesiredStateBuckets } from './desired-state.buckets.js';
import { HostPortsPublisher } from './host-ports.publisher.js';
import { SwitchDesiredPublisher } from './switch-desired.publisher.js';

const CHECK_EVERY_MS = 2000;

/**
 * The desired-state buckets are derived from the read models: one that was deleted is created
 * again and every switch's and host's value put again, so that hosts converge without anyone's
 * help. `/health` is degraded (`desiredState` down) from the moment the loss is seen until all is put.
 */
@Injectable()
export class BucketHealer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DesiredState');
  private timer: NodeJS.Timeout | null = null;
  private healing: string | null = null;
  private checking = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly buckets: ComputeDesiredStateBuckets,
    private readonly switches: SwitchDesiredPublisher,
    private readonly hostPorts: HostPortsPublisher,
    health: HealthRegistry,
  ) {
    health.register({
      name: 'desiredState',
      check: async () => {
        if (this.healing) throw new Error(this.healing);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Looks for the buckets; heals when one is missing. Answers whether it healed. */
  async check(): Promise<boolean> {
    if (this.checking || this.nc.isClosed()) return false;
    this.checking = true;
    try {
      const jsm = await jetstreamManager(this.nc);
      const missing: string[] = [];
      for (const stream of ComputeDesiredStateBuckets.STREAMS) {
        try {
          await jsm.streams.info(stream);
        } catch (err) {
          if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) missing.push(stream);
          else throw err;
        }
      }
      if (missing.length === 0) return false;
      this.healing = `desired-state bucket lost (${missing.join(', ')}): putting every value again`;
      this.logger.warn({ msg: this.healing });
      await this.buckets.ensure();
      const switches = await this.switches.republishAll();
      const hosts = await this.hostPorts.republishAll();
      this.logger.warn({ msg: 'desired-state buckets created again and filled from the read models', switches, hosts });
      this.healing = null;
      return true;
    } catch (err) {
      // NATS or PostgreSQL away: the next check tries again; `healing` stays set if it had begun.
      this.logger.warn({ msg: 'desired-state buckets could not be checked', error: String((err as Error)?.message ?? err) });
      return false;
    } finally {
      this.checking = false;
    }
  }
}
