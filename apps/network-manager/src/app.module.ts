import { type DynamicModule, Module } from '@nestjs/common';
import { EventLogModule, VnetCoreModule } from '@vnet/events';
import type { NetworkManagerConfig } from './config/network-manager.config.js';
import { TransportZones1764000000001 } from './migrations/1764000000001-transport-zones.js';
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
          entities: [TransportZoneEntity],
          migrations: [TransportZones1764000000001],
          projections: [new TransportZoneProjection()],
        }),
        TransportZonesModule,
      ],
    };
  }
}
