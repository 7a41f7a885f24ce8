import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { HEARTBEAT_INTERVAL_MS, heartbeatSubject, type Heartbeat, type HeartbeatReply } from '@vnet/contracts';
import { NATS_CONNECTION } from '@vnet/events';
import { CLOCK, type Clock } from '../common/clock.js';
import { BOOT_ID } from '../common/boot-id.js';
import { HeartbeatWheel, type RoundTrips } from './heartbeat-wheel.js';
import type { ManagementLink } from './management-link.js';

/** A host as heartbeats see it. */
export interface HeartbeatTarget {
  readonly id: string;
  readonly link: ManagementLink;
  readonly roundTrips: RoundTrips;
}

const TICK_MS = 50;
/** Short: a reply later than the next heartbeat proves nothing the next one will not. */
const REQUEST_TIMEOUT_MS = Math.min(HEARTBEAT_INTERVAL_MS, 1000);

/**
 * Every HEARTBEAT_INTERVAL_MS each host whose link carries traffic asks the compute manager for a
 * round trip (a core NATS request). One timer for all hosts, spread over the interval; a reply counts
 * only if it came back through the same, uninterrupted link.
 */
@Injectable()
export class HeartbeatSender implements OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeats');
  private readonly wheel = new HeartbeatWheel<HeartbeatTarget>(Math.max(1, Math.round(HEARTBEAT_INTERVAL_MS / TICK_MS)));
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BOOT_ID) private readonly bootId: string,
  ) {}

  add(target: HeartbeatTarget): void {
    this.wheel.add(target);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    if (this.nc.isClosed()) return;
    const sentAt = new Date(this.clock.now()).toISOString();
    for (const target of this.wheel.next()) {
      if (!target.link.flows || target.roundTrips.inFlight) continue;
      this.send(target, sentAt);
    }
  }

  private send(target: HeartbeatTarget, sentAt: string): void {
    const epoch = target.link.epoch;
    const heartbeat: Heartbeat = { hostId: target.id, bootId: this.bootId, sentAt };
    target.roundTrips.inFlight = true;
    this.nc
      .request(heartbeatSubject(target.id), JSON.stringify(heartbeat), { timeout: REQUEST_TIMEOUT_MS })
      .then((reply) => {
        // A reply that crossed a cut (or a cut and a repair) did not make a round trip through this link.
        if (target.link.epoch !== epoch || !target.link.flows) return;
        if ((reply.json() as Partial<HeartbeatReply>)?.ok !== true) return;
        target.roundTrips.lastRoundTripAt = this.clock.now();
      })
      .catch((err: unknown) => {
        // No responder or no reply in time is the expected way a round trip fails: nothing to log.
        if (!(err instanceof Error) || !/timeout|no responders|503/i.test(err.message)) {
          this.logger.debug({ msg: 'heartbeat failed', hostId: target.id, error: String(err) });
        }
      })
      .finally(() => {
        target.roundTrips.inFlight = false;
      });
  }
}
