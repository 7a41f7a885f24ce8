import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@vnet/contracts';
import { JetStreamExceptionFilter } from '@vnet/events';
import { HostPortsPublisher } from '../desired-state/host-ports.publisher.js';

/** DCN events from the log: the push of hosts' ports that survives a crash right after a commit. */
@Controller()
@UseFilters(JetStreamExceptionFilter)
export class DcnsHandlers {
  constructor(private readonly ports: HostPortsPublisher) {}

  @EventPattern<string>('events.compute-manager.dcn.>')
  async onDcnEvent(@Payload() event: EventEnvelope<string, { hostId?: string; from?: string; to?: string }>): Promise<void> {
    const hosts = new Set(
      [event?.data?.hostId, event?.data?.from, event?.data?.to].filter((h): h is string => typeof h === 'string'),
    );
    for (const host of hosts) await this.ports.catchUp(host, typeof event?.position === 'number' ? event.position : undefined);
  }
}
