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
import { OpaqueData1764000000105 } from './migrations/1764000000105-opaque-data.js';
import { ExtensionProjection } from './extensions/extension.projection.js';
import { ExtensionsModule } from './extensions/extensions.module.js';
import { OpaqueDataModule } from './opaque-data/opaque-data.module.js';
import { OpaqueProjection } from './opaque-data/opaque.projection.js';
import { DcnMigrations1764000000106 } from './migrations/1764000000106-dcn-migrations.js';
import { HostCredentialRevocations1764000000107 } from './migrations/1764000000107-host-credential-revocations.js';
import { DcnProjection } from './dcns/dcn.projection.js';
import { DcnsModule } from './dcns/dcns.module.js';
import { SnapshotsModule } from './snapshots/snapshots.module.js';
import { SWITCH_UPCASTERS } from './switches/switch.upcasters.js';
import { SwitchProjection } from './switches/switch.projection.js';
import { SwitchesModule } from './switches/switches.module.js';
import { TasksModule } from './tasks/tasks.module.js';
import { TasksStartedAt1764000000120 } from './migrations/1764000000120-tasks-started-at.js';
import { HostPortsOwed1764000000121 } from './migrations/1764000000121-host-ports-owed.js';
import { TopologyModule } from './topology/topology.module.js';

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
          migrations: [Hosts1764000000101, Switches1764000000102, Dcns1764000000103, HostPortOverrides1764000000104, OpaqueData1764000000105, DcnMigrations1764000000106, HostCredentialRevocations1764000000107, TasksStartedAt1764000000120, HostPortsOwed1764000000121],
          // The opaque projection reads the switch's state the switch projection just wrote.
          projections: [new HostProjection(), new SwitchProjection(), new DcnProjection(), new ExtensionProjection(), new OpaqueProjection()],
          upcasters: SWITCH_UPCASTERS,
        }),
        HostsModule,
        LogicalNetworksModule,
        TasksModule,
        SwitchesModule,
        DcnsModule,
        ManagementRepairModule,
        SnapshotsModule,
        ExtensionsModule,
        OpaqueDataModule,
        TopologyModule,
      ],
    };
  }
}
