import { Inject, Injectable } from '@nestjs/common';
import type { HostReport } from '@vnet/contracts';
import { EventLog } from '@vnet/events';
import { HostRealizationAggregate, hostRealizationDecider } from './host-realization.decider.js';

const CONSUMER = 'network-manager.host-reports';

@Injectable()
export class HostRealizationService {
  constructor(@Inject(EventLog) private readonly log: EventLog) {}

  /** Records what a host's report changes; a redelivered report changes nothing twice. */
  async apply(report: HostReport, messageId: string, correlationId: string): Promise<void> {
    await this.log.execute(
      HostRealizationAggregate,
      report.hostId,
      { correlationId, causationId: messageId, actor: `host:${report.hostId}` },
      async (state, _version, tx) => {
        if (!(await tx.markHandled(CONSUMER, messageId))) return [];
        return hostRealizationDecider.decide(
          {
            type: 'ApplyHostReport',
            hostId: report.hostId,
            bootId: report.bootId,
            seq: report.seq,
            held: report.held,
            upserted: report.upserted.map((c) => ({ id: c.id, revision: c.revision })),
            removed: report.removed,
            logicalPorts: report.logicalPorts,
          },
          state,
        );
      },
      () => undefined,
    );
  }
}
