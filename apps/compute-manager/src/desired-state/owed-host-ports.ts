import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '@vnet/events';
import { HostPortsPublisher } from './host-ports.publisher.js';

const EVERY_MS = 1000;

/**
 * Puts the host ports still owed to their bucket (see `DcnMigrationsRepository.abort`): a migration's abort
 * whose put failed, NATS being away, or whose process died between its commit and its put. From
 * boot on, every second, until none is owed: the target of an aborted migration never keeps the
 * DCN's ports for want of a later change of its own.
 */
@Injectable()
export class OwedHostPorts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DesiredState');
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private failing = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly ports: HostPortsPublisher,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.settle(), EVERY_MS);
    this.timer.unref();
    void this.settle();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Puts what is owed; answers how many hosts were. */
  async settle(): Promise<number> {
    if (this.running || this.nc.isClosed()) return 0;
    this.running = true;
    try {
      const hosts = await this.ports.publishAllOwed();
      if (hosts > 0) this.logger.log({ msg: 'owed host ports put', hosts });
      this.failing = false;
      return hosts;
    } catch (err) {
      // NATS or PostgreSQL away: the next turn tries again (said once per outage).
      if (!this.failing)
        this.logger.warn({ msg: 'owed host ports not put yet, retrying', error: String((err as Error)?.message ?? err) });
      this.failing = true;
      return 0;
    } finally {
      this.running = false;
    }
  }
}
