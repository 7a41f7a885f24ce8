import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { HOST_REPORTS_SUBJECTS, HostReportMessage } from '@vnet/contracts';
import { InvalidMessageError, type JetStreamContext, parseMessage } from '@vnet/events';
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
    // The subject is what the server let the sender publish on (CONTRACT §7); the body is only its word.
    const subjectHost = ctx.getSubject().split('.')[1];
    if (report.hostId !== subjectHost) throw new InvalidMessageError(`report names host ${report.hostId} but came from host ${subjectHost}`);
    const messageId = ctx.getMsgId() ?? `${ctx.getStream()}:${ctx.getStreamSequence()}`;
    await this.realization.apply(report, messageId, ctx.getCorrelationId() ?? randomUUID());
  }
}
