import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { HOST_REPORTS_SUBJECTS, HostReportMessage } from '@vnet/contracts';
import { InvalidMessageError, JetStreamExceptionFilter, type JetStreamContext, parseMessage } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { HostsService } from './hosts.service.js';

@Controller()
@UseFilters(JetStreamExceptionFilter)
export class HostReportsHandlers {
  constructor(private readonly hosts: HostsService) {}

  @EventPattern<string>(HOST_REPORTS_SUBJECTS)
  async onReport(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    const report = parseMessage(HostReportMessage, data);
    // The subject is what the server let the sender publish on (CONTRACT §7); the body is only its word.
    const subjectHost = ctx.getSubject().split('.')[1];
    if (report.hostId !== subjectHost) throw new InvalidMessageError(`report names host ${report.hostId} but came from host ${subjectHost}`);
    const messageId = ctx.getMsgId() ?? `${ctx.getStream()}:${ctx.getStreamSequence()}`;
    await this.hosts.applyReport(report, messageId, ctx.getCorrelationId() ?? randomUUID());
  }
}
