import { Module } from '@nestjs/common';
import { ComputeDesiredStateBuckets } from './desired-state.buckets.js';
import { SwitchDesiredPublisher } from './switch-desired.publisher.js';

@Module({ providers: [ComputeDesiredStateBuckets, SwitchDesiredPublisher], exports: [ComputeDesiredStateBuckets, SwitchDesiredPublisher] })
export class ComputeDesiredStateModule {}
