import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@vnet/contracts';
import { InvalidMessageError, JetStreamExceptionFilter } from '@vnet/events';
import { SwitchDesiredPublisher } from '../desired-state/switch-desired.publisher.js';

/** The compute manager's own switch events: the push that survives a crash right after a commit. */
@Controller()
@UseFilters(JetStreamExceptionFilter)
export class SwitchesHandlers {
  constructor(private readonly publisher: SwitchDesiredPublisher) {}

  @EventPattern<string>('events.compute-manager.switch.>')
  async onSwitchEvent(@Payload() event: EventEnvelope<string, { id?: string; revision?: number }>): Promise<void> {
    const id = event?.data?.id;
    if (!id) throw new InvalidMessageError('switch event without data.id');
    const { revision } = event.data;
    const correlationId = event.metadata?.correlationId;
    await this.publisher.publish(id, undefined, typeof revision === 'number' && correlationId ? { revision, correlationId } : undefined);
  }
}
