import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { MANAGEMENT_REPAIR_SUBJECTS, ManagementRepairRequestMessage, type ManagementRepairReply, managementRepairSubject } from '@vnet/contracts';
import { CORRELATION_ID_HEADER, InvalidMessageError, NATS_CONNECTION, parseMessage } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { ManagementRepairService } from './management-repair.service.js';

/**
 * NATS edge of management repair: a host's request through its (clone's) link, answered once the
 * override is recorded and published. A request whose body names another host than its subject
 * changes nothing.
 */
@Injectable()
export class ManagementRepairResponder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ManagementRepair');
  private subscription: Subscription | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly repairs: ManagementRepairService,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(MANAGEMENT_REPAIR_SUBJECTS, {
      queue: 'compute-manager',
      callback: (err, msg) => {
        if (err) return this.logger.warn({ msg: 'repair subscription error', error: err.message });
        void this.handle(msg);
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private async handle(msg: Msg): Promise<void> {
    const reply = (answer: ManagementRepairReply) => msg.respond(JSON.stringify(answer));
    try {
      const request = parseMessage(ManagementRepairRequestMessage, msg.json());
      if (msg.subject !== managementRepairSubject(request.hostId)) {
        throw new InvalidMessageError(`repair request for ${request.hostId} arrived on ${msg.subject}`);
      }
      reply(await this.repairs.repair(request, msg.headers?.get(CORRELATION_ID_HEADER) || randomUUID()));
    } catch (err) {
      const invalid = err instanceof InvalidMessageError || err instanceof SyntaxError;
      if (!invalid) this.logger.error({ msg: 'management repair failed', subject: msg.subject, error: String((err as Error).message) });
      reply({ ok: false, detail: invalid ? `invalid repair request: ${(err as Error).message}` : 'repair could not be recorded, try again' });
    }
  }
}
