import { Module } from '@nestjs/common';
import { DcnMigrations } from '../dcns/dcn-migrations.repository.js';
import { ComputeDesiredStateModule } from '../desired-state/desired-state.module.js';
import { ExtensionsModule } from '../extensions/extensions.module.js';
import { SwitchesModule } from '../switches/switches.module.js';
import { ModuleDataHandlers } from './module-data.handlers.js';
import { OpaqueDataController } from './opaque-data.controller.js';
import { OpaqueDataReadModel } from './opaque-data.read-model.js';
import { OpaqueDataService } from './opaque-data.service.js';

@Module({
  imports: [ExtensionsModule, SwitchesModule, ComputeDesiredStateModule],
  controllers: [OpaqueDataController, ModuleDataHandlers],
  providers: [OpaqueDataService, OpaqueDataReadModel, DcnMigrations],
})
export class OpaqueDataModule {}
