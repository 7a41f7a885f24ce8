import { Module } from '@nestjs/common';
import { HostAgentCoreModule } from '../common/host-agent-core.module.js';
import { DesiredStateModule } from '../desired-state/desired-state.module.js';
import { ComputeFeeds } from './compute-feeds.js';
import { RepairRequester } from './repair.requester.js';
import { StatusSender } from './status.sender.js';

@Module({ imports: [HostAgentCoreModule, DesiredStateModule], providers: [ComputeFeeds, StatusSender, RepairRequester], exports: [ComputeFeeds, StatusSender, RepairRequester] })
export class ComputeModule {}
