import { Module } from '@nestjs/common';
import { HostAgentCoreModule } from '../common/host-agent-core.module.js';
import { DesiredStateBuckets } from './desired-state.buckets.js';
import { DesiredStateFeeds } from './desired-state.feeds.js';
import { DesiredStateReader } from './desired-state.reader.js';

@Module({
  imports: [HostAgentCoreModule],
  providers: [DesiredStateBuckets, DesiredStateFeeds, DesiredStateReader],
  exports: [DesiredStateBuckets, DesiredStateFeeds, DesiredStateReader],
})
export class DesiredStateModule {}
