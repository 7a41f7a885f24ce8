import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { MODULE_DATA_SUBJECTS, ModuleDataMessage } from '@vnet/contracts';
import { InvalidMessageError, JetStreamExceptionFilter, type JetStreamContext, parseMessage } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { OpaqueDataService } from './opaque-data.service.js';

/** Data host modules send up: checked against its schema and its subject, then recorded once. */
@Controller()
@UseFilters(JetStreamExceptionFilter)
export class ModuleDataHandlers {
  constructor(private readonly opaque: OpaqueDataService) {}

  @EventPattern<string>(MODULE_DATA_SUBJECTS)
  async onModuleData(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    const message = parseMessage(ModuleDataMessage, data);
    const subjectHost = ctx.getSubject().split('.')[1];
    if (message.hostId !== subjectHost) throw new InvalidMessageError(`module data names host ${message.hostId} but came from host ${subjectHost}`);
    await this.opaque.recordModuleData(message, ctx.getCorrelationId() ?? randomUUID());
  }
}
