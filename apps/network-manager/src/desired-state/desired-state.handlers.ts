import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@vnet/contracts';
import { InvalidMessageError } from '@vnet/events';
import { JetStreamExceptionFilter } from '@vnet/events';
import { DesiredStateService } from './desired-state.service.js';

/** The network manager's own events, turned into the desired state hosts watch. */
@Controller()
@UseFilters(JetStreamExceptionFilter)
export class DesiredStateHandlers {
  constructor(private readonly desired: DesiredStateService) {}

  @EventPattern<string>('events.network-manager.logicalNetwork.>')
  async onNetworkEvent(
    @Payload() event: EventEnvelope<string, { id?: string; transportZoneId?: string; revision?: number }>,
  ): Promise<void> {
    const id = event?.data?.id;
    if (!id) throw new InvalidMessageError('logical network event without data.id');
    // Updates do not repeat the zone: the stream's first event, in the read model, has it.
    const zone = event.data.transportZoneId ?? (await this.desired.zoneOf(id));
    if (!zone) return; // created and deleted before we got here: the delete event carries the zone
    const correlationId = event.metadata?.correlationId;
    const revision = typeof event.data.revision === 'number' ? event.data.revision : undefined;
    await this.desired.publishNetwork(id, zone, correlationId ? { revision, correlationId } : undefined);
  }

  @EventPattern<string>('events.network-manager.transportNode.>')
  async onTransportNodeEvent(@Payload() event: EventEnvelope<string, { hostId?: string }>): Promise<void> {
    const hostId = event?.data?.hostId;
    if (!hostId) throw new InvalidMessageError('transport node event without data.hostId');
    await this.desired.publishTransportNode(hostId);
  }
}
