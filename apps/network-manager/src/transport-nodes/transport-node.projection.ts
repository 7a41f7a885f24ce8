import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import type { TransportNodeEvent } from './transport-node.decider.js';

export class TransportNodeProjection implements Projection {
  readonly name = 'transport-nodes';
  readonly reads = [];
  readonly tables = ['transport_nodes'];

  async apply(event: RecordedEvent, { client }: ProjectionContext): Promise<void> {
    const e = event as unknown as TransportNodeEvent;
    switch (e.type) {
      case 'TransportNodeCreated':
        await client.query('INSERT INTO transport_nodes (host_id, transport_zone_ids, created_position) VALUES ($1, $2, $3)', [
          e.data.hostId,
          [],
          event.position,
        ]);
        return;
      case 'TransportNodeZonesAdded':
        await client.query('UPDATE transport_nodes SET transport_zone_ids = transport_zone_ids || $2::uuid[] WHERE host_id = $1', [
          e.data.hostId,
          e.data.transportZoneIds,
        ]);
        return;
      case 'TransportNodeZoneRemoved':
        await client.query('UPDATE transport_nodes SET transport_zone_ids = array_remove(transport_zone_ids, $2::uuid) WHERE host_id = $1', [
          e.data.hostId,
          e.data.transportZoneId,
        ]);
        return;
    }
  }
}
