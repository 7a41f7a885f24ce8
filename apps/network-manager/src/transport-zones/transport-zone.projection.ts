import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import type { TransportZoneEvent } from './transport-zone.decider.js';
import { TransportZoneEntity } from './transport-zone.entity.js';

export class TransportZoneProjection implements Projection {
  readonly name = 'transport-zones';
  readonly reads = [];
  readonly tables = ['transport_zones'];

  async apply(event: RecordedEvent, { manager }: ProjectionContext): Promise<void> {
    const e = event as unknown as TransportZoneEvent;
    switch (e.type) {
      case 'TransportZoneCreated':
        await manager.insert(TransportZoneEntity, { id: e.data.id, name: e.data.name, createdPosition: event.position });
        return;
      case 'TransportZoneDeleted':
        await manager.delete(TransportZoneEntity, { id: e.data.id });
        return;
    }
  }
}
