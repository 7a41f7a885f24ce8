import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { HEARTBEAT_SUBJECTS, HOST_ID_PATTERN, type HeartbeatReply } from '@vnet/contracts';
import { NATS_CONNECTION } from '@vnet/events';
import { Liveness } from './liveness.js';

/**
 * Answers hosts' heartbeats at once: the reply is the management round trip a host relies on
 * (a change is proven, or rolled back, by it). Instances share the work through a queue group.
 */
@Injectable()
export class HeartbeatResponder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeats');
  private subscription: Subscription | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly liveness: Liveness,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(HEARTBEAT_SUBJECTS, {
      queue: 'compute-manager',
      callback: (err, msg) => {
        if (err) {
          this.logger.warn({ msg: 'heartbeat subscription error', error: err.message });
          return;
        }
        const hostId = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
        if (!HOST_ID_PATTERN.test(hostId)) return;
        const now = Date.now();
        this.liveness.seen(hostId, now);
        const reply: HeartbeatReply = { ok: true, at: new Date(now).toISOString() };
        msg.respond(JSON.stringify(reply));
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}
