import { Module } from '@nestjs/common';
import { ComputeDesiredStateModule } from '../desired-state/desired-state.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { SwitchChanges } from './switch-changes.js';
import { SwitchRollbackReactor } from './switch-rollback.reactor.js';
import { SwitchesController } from './switches.controller.js';
import { SwitchesHandlers } from './switches.handlers.js';
import { SwitchesService } from './switches.service.js';

@Module({
  imports: [TasksModule, ComputeDesiredStateModule],
  controllers: [SwitchesController, SwitchesHandlers],
  providers: [SwitchesService, SwitchChanges, SwitchRollbackReactor],
  exports: [SwitchesService, SwitchChanges],
})
export class SwitchesModule {}
