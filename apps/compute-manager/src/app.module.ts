import { type DynamicModule, Module } from '@nestjs/common';
import { EventLogModule, VnetCoreModule } from '@vnet/events';
import type { ComputeManagerConfig } from './config/compute-manager.config.js';
import { HostProjection } from './hosts/host.projection.js';
import { HostsModule } from './hosts/hosts.module.js';
import { LogicalNetworksModule } from './logical-networks/logical-networks.module.js';
import { ManagementRepairModule } from './management-repair/management-repair.module.js';
import { Hosts1764000000101 } from './migrations/1764000000101-hosts.js';
import { Switches1764000000102 } from './migrations/1764000000102-switches.js';
import { Dcns1764000000103 } from './migrations/1764000000103-dcns.js';
import { HostPortOverrides1764000000104 } from './migrations/1764000000104-host-port-overrides.js';
import { DcnMigrations1764000000105 } from './migrations/1764000000105-dcn-migrations.js';
import { DcnProjection } from './dcns/dcn.projection.js';
import { DcnsModule } from './dcns/dcns.module.js';
import { SnapshotsModule } from './snapshots/snapshots.module.js';
import { SwitchProjection } from './switches/switch.projection.js';
import { SwitchesModule } from './switches/switches.module.js';
import { TasksModule } from './tasks/tasks.module.js';

export const SERVICE = 'compute-manager';

@Module({})
export class AppModule {
  static forRoot(config: ComputeManagerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        VnetCoreModule.forRoot({ service: SERVICE, config }),
        EventLogModule.forRoot({
          schema: 'compute_manager',
          entities: [],
          migrations: [Hosts1764000000101, Switches1764000000102, Dcns1764000000103, HostPortOverrides1764000000104, DcnMigrations1764000000105],
          projections: [new HostProjection(), new SwitchProjection(), new DcnProjection()],
        }),
        HostsModule,
        LogicalNetworksModule,
        TasksModule,
        SwitchesModule,
        DcnsModule,
        ManagementRepairModule,
        SnapshotsModule,
      ],
    };
  }
}
