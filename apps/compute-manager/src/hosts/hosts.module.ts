import { Module } from '@nestjs/common';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { HostCredentialsRevoker } from './host-credentials.revoker.js';
import { HostMetrics } from './host.metrics.js';
import { HostReportsHandlers } from './host-reports.handlers.js';
import { HostsController } from './hosts.controller.js';
import { HostsService } from './hosts.service.js';

@Module({
  imports: [HeartbeatsModule],
  controllers: [HostsController, HostReportsHandlers],
  providers: [HostsService, HostMetrics, HostCredentialsRevoker],
  exports: [HostsService],
})
export class HostsModule {}
