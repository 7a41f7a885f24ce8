import { ApiProperty } from '@nestjs/swagger';
import { TEAMING_POLICIES } from '@vnet/contracts';

export class SecurityPolicyView {
  @ApiProperty()
  promiscuous!: boolean;
  @ApiProperty()
  macChanges!: boolean;
  @ApiProperty()
  forgedTransmits!: boolean;
}

export class TeamingPolicyView {
  @ApiProperty({ enum: TEAMING_POLICIES })
  policy!: (typeof TEAMING_POLICIES)[number];
  @ApiProperty()
  notifySwitches!: boolean;
  @ApiProperty()
  failback!: boolean;
}

export class ShapingPolicyView {
  @ApiProperty()
  enabled!: boolean;
  @ApiProperty({ type: 'integer', minimum: 0 })
  averageBandwidthKbps!: number;
  @ApiProperty({ type: 'integer', minimum: 0 })
  peakBandwidthKbps!: number;
  @ApiProperty({ type: 'integer', minimum: 0 })
  burstSizeKb!: number;
}

/** A port group's whole policy, as the switch holds it. */
export class PolicyView {
  @ApiProperty({ type: SecurityPolicyView })
  security!: SecurityPolicyView;
  @ApiProperty({ type: TeamingPolicyView })
  teaming!: TeamingPolicyView;
  @ApiProperty({ type: ShapingPolicyView })
  shaping!: ShapingPolicyView;
}

export class PortGroupView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 4094 })
  vlanId!: number;
  @ApiProperty()
  management!: boolean;
  @ApiProperty({ type: PolicyView })
  policy!: PolicyView;
}

export class SwitchView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ type: 'integer', minimum: 1 })
  revision!: number;
  @ApiProperty({ type: [String] })
  hostIds!: string[];
  @ApiProperty({ type: 'integer' })
  rollbackTimeoutMs!: number;
  @ApiProperty({ type: 'integer' })
  mtu!: number;
  @ApiProperty({ type: [PortGroupView] })
  portGroups!: PortGroupView[];
}

export class SwitchCreatedView extends SwitchView {
  @ApiProperty({ format: 'uuid', description: 'the task of the push to the hosts' })
  taskId!: string;
}

export class TaskAcceptedView {
  @ApiProperty({ format: 'uuid' })
  taskId!: string;
}

export class PortGroupAcceptedView extends TaskAcceptedView {
  @ApiProperty({ format: 'uuid' })
  portGroupId!: string;
}

export class PortGroupUpdatedView extends TaskAcceptedView {
  @ApiProperty({ type: 'integer', minimum: 1, description: "the switch's revision after the change" })
  revision!: number;
}

export class SwitchRevertedView extends TaskAcceptedView {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: "the switch's revision after the revert (the same when nothing changed)",
  })
  revision!: number;
}
