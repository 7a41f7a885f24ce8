import { Module } from '@nestjs/common';
import { ComputeDesiredStateModule } from '../desired-state/desired-state.module.js';
import { SwitchesModule } from '../switches/switches.module.js';
import { ObjectStoreSnapshotRepository } from './object-store-snapshot.repository.js';
import { SNAPSHOT_REPOSITORY } from './snapshot.repository.js';
import { SnapshotsController } from './snapshots.controller.js';
import { SnapshotsService } from './snapshots.service.js';

@Module({
  imports: [SwitchesModule, ComputeDesiredStateModule],
  controllers: [SnapshotsController],
  providers: [SnapshotsService, { provide: SNAPSHOT_REPOSITORY, useClass: ObjectStoreSnapshotRepository }],
})
export class SnapshotsModule {}
