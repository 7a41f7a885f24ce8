import { Module } from '@nestjs/common';
import { ComputeDesiredStateModule } from '../desired-state/desired-state.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { DcnsController } from './dcns.controller.js';
import { DcnsHandlers } from './dcns.handlers.js';
import { DcnMigrationService } from './dcn-migration.service.js';
import { DcnReadModel } from './dcn.read-model.js';
import { DcnMigrations } from './dcn-migrations.repository.js';
import { DcnWriter } from './dcn-writer.js';
import { DcnsService } from './dcns.service.js';
import { MigrationMetrics } from './migration.metrics.js';
import { NicAttacher } from './nic-attacher.js';

@Module({ imports: [TasksModule, ComputeDesiredStateModule], controllers: [DcnsController, DcnsHandlers], providers: [DcnsService, DcnMigrationService, DcnReadModel, DcnMigrations, DcnWriter, MigrationMetrics, NicAttacher], exports: [DcnsService] })
export class DcnsModule {}
