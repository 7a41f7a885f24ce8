import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { HOST_REPORTS_SUBJECTS, HostReportMessage } from '@vnet/contracts';
import { type JetStreamContext, parseMessage } from '@vnet/events';
import { JetStreamExceptionFilter } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { HostRealizationService } from './host-realization.service.js';

@Controller()
@UseFilters(JetStreamExceptionFilter)
export class HostRealizationHandlers {
  constructor(private readonly realization: HostRealizationService) {}

  @EventPattern<string>(HOST_REPORTS_SUBJECTS)
  async onReport(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    const report = parseMessage(HostReportMessage, data);
    const messageId = ctx.getMsgId() ?? `${ctx.getStream()}:${ctx.getStreamSequence()}`;
    await this.realization.apply(report, messageId, ctx.getCorrelationId() ?? randomUUID());
  }
}
