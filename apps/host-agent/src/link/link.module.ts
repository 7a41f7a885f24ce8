import { Module } from '@nestjs/common';
import { HostAgentCoreModule } from '../common/host-agent-core.module.js';
import { HeartbeatSender } from './heartbeat.sender.js';

@Module({ imports: [HostAgentCoreModule], providers: [HeartbeatSender], exports: [HeartbeatSender] })
export class LinkModule {}
