import { Module } from '@nestjs/common';
import { DcnsModule } from '../dcns/dcns.module.js';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { HostsModule } from '../hosts/hosts.module.js';
import { LogicalNetworksModule } from '../logical-networks/logical-networks.module.js';
import { SwitchesModule } from '../switches/switches.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { TopologyController } from './topology.controller.js';
import { TopologyFeed } from './topology.feed.js';
import { TopologySource } from './topology.source.js';
import { UiController } from './ui.controller.js';

@Module({
  imports: [HostsModule, HeartbeatsModule, SwitchesModule, LogicalNetworksModule, DcnsModule, TasksModule],
  controllers: [TopologyController, UiController],
  providers: [TopologySource, TopologyFeed],
})
export class TopologyModule {}
