import { type DynamicModule, Module } from '@nestjs/common';
import { EventLogModule, VnetCoreModule } from '@vnet/events';
import type { NetworkManagerConfig } from './config/network-manager.config.js';
import { DesiredStateModule } from './desired-state/desired-state.module.js';
import { LogicalNetworkEntity, LogicalPortEntity, NetworkRealizationEntity } from './logical-networks/logical-network.entity.js';
import { LogicalNetworkProjection } from './logical-networks/logical-network.projection.js';
import { LogicalNetworksModule } from './logical-networks/logical-networks.module.js';
import { TransportZones1764000000001 } from './migrations/1764000000001-transport-zones.js';
import { LogicalNetworks1764000000002 } from './migrations/1764000000002-logical-networks.js';
import { HostRealizationProjection } from './realization/host-realization.projection.js';
import { RealizationModule } from './realization/realization.module.js';
import { TransportNodeEntity } from './transport-nodes/transport-node.entity.js';
import { TransportNodeProjection } from './transport-nodes/transport-node.projection.js';
import { TransportNodesModule } from './transport-nodes/transport-nodes.module.js';
import { TransportZoneEntity } from './transport-zones/transport-zone.entity.js';
import { TransportZoneProjection } from './transport-zones/transport-zone.projection.js';
import { TransportZonesModule } from './transport-zones/transport-zones.module.js';

export const SERVICE = 'network-manager';

@Module({})
export class AppModule {
  static forRoot(config: NetworkManagerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        VnetCoreModule.forRoot({ service: SERVICE, config }),
        EventLogModule.forRoot({
          schema: 'network_manager',
          entities: [TransportZoneEntity, LogicalNetworkEntity, NetworkRealizationEntity, LogicalPortEntity, TransportNodeEntity],
          migrations: [TransportZones1764000000001, LogicalNetworks1764000000002],
          projections: [new TransportZoneProjection(), new LogicalNetworkProjection(), new TransportNodeProjection(), new HostRealizationProjection()],
        }),
        TransportZonesModule,
        LogicalNetworksModule,
        TransportNodesModule,
        RealizationModule,
        DesiredStateModule,
      ],
    };
  }
}
