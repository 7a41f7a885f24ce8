import { Module } from '@nestjs/common';
import { BucketHealer } from './bucket-healer.js';
import { ComputeDesiredStateBuckets } from './desired-state.buckets.js';
import { HostPortsPublisher } from './host-ports.publisher.js';
import { OwedHostPorts } from './owed-host-ports.js';
import { SwitchDesiredPublisher } from './switch-desired.publisher.js';

@Module({
  providers: [ComputeDesiredStateBuckets, SwitchDesiredPublisher, HostPortsPublisher, BucketHealer, OwedHostPorts],
  exports: [ComputeDesiredStateBuckets, SwitchDesiredPublisher, HostPortsPublisher],
})
export class ComputeDesiredStateModule {}
