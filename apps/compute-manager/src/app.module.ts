import { type DynamicModule, Module } from '@nestjs/common';
import { EventLogModule, VnetCoreModule } from '@vnet/events';
import type { ComputeManagerConfig } from './config/compute-manager.config.js';

export const SERVICE = 'compute-manager';

@Module({})
export class AppModule {
  static forRoot(config: ComputeManagerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        VnetCoreModule.forRoot({ service: SERVICE, config }),
        EventLogModule.forRoot({ schema: 'compute_manager', entities: [], migrations: [], projections: [] }),
      ],
    };
  }
}
