import { Module } from '@nestjs/common';
import { ComputeDesiredStateModule } from '../desired-state/desired-state.module.js';
import { ManagementRepairResponder } from './management-repair.responder.js';
import { ManagementRepairService } from './management-repair.service.js';
import { OverrideLapseReactor } from './override-lapse.reactor.js';

@Module({ imports: [ComputeDesiredStateModule], providers: [ManagementRepairService, ManagementRepairResponder, OverrideLapseReactor] })
export class ManagementRepairModule {}
