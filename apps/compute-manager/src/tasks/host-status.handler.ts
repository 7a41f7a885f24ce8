import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { HOST_STATUS_SUBJECTS, HostApplyStatusMessage, hostStatusSubject } from '@vnet/contracts';
import { CORRELATION_ID_HEADER, NATS_CONNECTION, parseMessage, requestContext } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { TasksService } from './tasks.service.js';

/**
 * NATS edge of hosts' outcomes: each status is validated with its schema, and one whose body names
 * another host than the subject it came on changes nothing. What an outcome causes (a rollback's
 * return of the switch) is recorded under the correlation id of the change it answers.
 */
@Injectable()
export class HostStatusHandler implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('HostStatus');
  private subscription: Subscription | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly tasks: TasksService,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(HOST_STATUS_SUBJECTS, {
      callback: (err, msg) => {
        if (!err) this.handle(msg);
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private handle(msg: Msg): void {
    try {
      const s = parseMessage(HostApplyStatusMessage, msg.json());
      if (msg.subject !== hostStatusSubject(s.hostId)) throw new Error(`status of ${s.hostId} arrived on ${msg.subject}`);
      const correlationId = s.correlationId || msg.headers?.get(CORRELATION_ID_HEADER) || randomUUID();
      requestContext.run({ correlationId, actor: 'system' }, () =>
        this.tasks.outcome({
          hostId: s.hostId,
          kind: s.kind,
          targetId: s.targetId,
          revision: s.revision,
          state: s.state,
          detail: s.detail,
          restoredRevision: s.restoredRevision,
        }),
      );
    } catch (err) {
      this.logger.warn({ msg: 'host status refused', subject: msg.subject, error: String((err as Error).message) });
    }
  }
}
