import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import type { LogicalNetworkEvent } from './logical-network.decider.js';
import { LogicalNetworkEntity, NetworkRealizationEntity } from './logical-network.entity.js';

export class LogicalNetworkProjection implements Projection {
  readonly name = 'logical-networks';
  readonly reads = [];
  readonly tables = ['logical_networks'];

  async apply(event: RecordedEvent, { manager }: ProjectionContext): Promise<void> {
    const e = event as unknown as LogicalNetworkEvent;
    switch (e.type) {
      case 'LogicalNetworkCreated': {
        const { id, name, vni, mtu, transportZoneId, revision } = e.data;
        await manager.insert(LogicalNetworkEntity, { id, name, vni, mtu, transportZoneId, revision, createdPosition: event.position });
        return;
      }
      case 'LogicalNetworkUpdated': {
        const { id, ...changes } = e.data;
        await manager.update(LogicalNetworkEntity, { id }, changes);
        return;
      }
      case 'LogicalNetworkReverted': {
        const { id, revision, name, mtu } = e.data;
        await manager.update(LogicalNetworkEntity, { id }, { revision, name, mtu });
        return;
      }
      case 'LogicalNetworkDeleted':
        await manager.delete(LogicalNetworkEntity, { id: e.data.id });
        // What hosts reported of it goes with it: a deleted network is realized nowhere.
        await manager.delete(NetworkRealizationEntity, { networkId: e.data.id });
        return;
    }
  }
}
