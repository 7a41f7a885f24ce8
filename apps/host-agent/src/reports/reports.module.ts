import { Module } from '@nestjs/common';
import { HostAgentCoreModule } from '../common/host-agent-core.module.js';
import { ReportPublisher } from './report.publisher.js';

@Module({ imports: [HostAgentCoreModule], providers: [ReportPublisher], exports: [ReportPublisher] })
export class ReportsModule {}
