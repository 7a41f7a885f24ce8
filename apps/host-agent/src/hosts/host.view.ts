import { ApiProperty } from '@nestjs/swagger';
import { HostComputeSwitchView, HostLogicalPortView } from './dto/compute-switch.view.js';
import { LogicalNetworkConstructView } from './dto/construct.view.js';
import { UplinkView } from './dto/uplink.dto.js';

export class NetworkSwitchView {
  @ApiProperty({ type: [LogicalNetworkConstructView] })
  logicalNetworks!: LogicalNetworkConstructView[];
  @ApiProperty({ type: [HostLogicalPortView] })
  ports!: HostLogicalPortView[];
}

export class PendingRollbackView {
  @ApiProperty()
  switchId!: string;
  @ApiProperty({ type: 'integer' })
  savedRevision!: number;
  @ApiProperty({ format: 'date-time' })
  deadline!: string;
}

/** `GET /hosts/:hostId` (CONTRACT §4). */
export class HostView {
  @ApiProperty({ example: 'host-1' })
  hostId!: string;
  @ApiProperty()
  managementConnected!: boolean;
  @ApiProperty({ type: [HostComputeSwitchView] })
  computeSwitches!: HostComputeSwitchView[];
  @ApiProperty({ type: NetworkSwitchView })
  networkSwitch!: NetworkSwitchView;
  @ApiProperty({ type: UplinkView })
  uplink!: UplinkView;
  @ApiProperty({ type: PendingRollbackView, nullable: true, description: 'the saved config while a change awaits its proof' })
  pendingRollback!: PendingRollbackView | null;
}

/** An item of `GET /hosts`: the host without its constructs, which thousands of hosts would make huge. */
export class HostSummary {
  @ApiProperty({ example: 'host-1' })
  hostId!: string;
  @ApiProperty()
  managementConnected!: boolean;
  @ApiProperty({ type: UplinkView })
  uplink!: UplinkView;
  @ApiProperty({ type: 'integer', minimum: 0 })
  logicalNetworkCount!: number;
}
