import { Module } from '@nestjs/common';
import { HostAgentCoreModule } from '../common/host-agent-core.module.js';
import { ComputeModule } from '../compute-switch/compute.module.js';
import { DesiredStateModule } from '../desired-state/desired-state.module.js';
import { LinkModule } from '../link/link.module.js';
import { HostModulesController } from '../modules/host-modules.controller.js';
import { HostModulesService } from '../modules/host-modules.service.js';
import { ModuleDataModule } from '../modules/module-data.module.js';
import { ReportsModule } from '../reports/reports.module.js';
import { StoreModule } from '../store/store.module.js';
import { HostAgentMetrics } from './host-agent.metrics.js';
import { HostAgentRuntime } from './host-agent.runtime.js';
import { hostContextProvider, hostRegistryProvider } from './host-context.provider.js';
import { HostLogicalNetworksController } from './host-logical-networks.controller.js';
import { HostsController } from './hosts.controller.js';
import { HostsService } from './hosts.service.js';

@Module({
  imports: [HostAgentCoreModule, DesiredStateModule, ReportsModule, LinkModule, StoreModule, ComputeModule, ModuleDataModule],
  controllers: [HostsController, HostLogicalNetworksController, HostModulesController],
  providers: [hostContextProvider, hostRegistryProvider, HostAgentRuntime, HostAgentMetrics, HostsService, HostModulesService],
})
export class HostsModule {}
