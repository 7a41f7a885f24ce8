import { Module } from '@nestjs/common';
import { DesiredStateBuckets } from './desired-state.buckets.js';
import { DesiredStateHandlers } from './desired-state.handlers.js';
import { DesiredStateService } from './desired-state.service.js';

@Module({ controllers: [DesiredStateHandlers], providers: [DesiredStateBuckets, DesiredStateService] })
export class DesiredStateModule {}
