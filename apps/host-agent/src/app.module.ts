import { type DynamicModule, Module } from '@nestjs/common';
import { VnetCoreModule } from '@vnet/events';
import type { HostAgentConfig } from './config/host-agent.config.js';
import { HostsModule } from './hosts/hosts.module.js';

export const SERVICE = 'host-agent';

@Module({})
export class AppModule {
  static forRoot(config: HostAgentConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [VnetCoreModule.forRoot({ service: SERVICE, config, natsAtBoot: 'background' }), HostsModule],
    };
  }
}
