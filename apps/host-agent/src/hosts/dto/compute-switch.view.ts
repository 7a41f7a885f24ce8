import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { TEAMING_POLICIES } from '@vnet/contracts';

export class DcnConnecteeView {
  @ApiProperty({ enum: ['dcn'] })
  type!: 'dcn';
  @ApiProperty()
  dcnId!: string;
  @ApiProperty()
  nicId!: string;
}

export class ManagementConnecteeView {
  @ApiProperty({ enum: ['management'] })
  type!: 'management';
}

/** What a port connects: a DCN's NIC, or the host's management interface. */
export const CONNECTEE = {
  oneOf: [{ $ref: getSchemaPath(DcnConnecteeView) }, { $ref: getSchemaPath(ManagementConnecteeView) }],
};

export class HostPolicyView {
  @ApiProperty({
    type: 'object',
    properties: { promiscuous: { type: 'boolean' }, macChanges: { type: 'boolean' }, forgedTransmits: { type: 'boolean' } },
  })
  security!: { promiscuous: boolean; macChanges: boolean; forgedTransmits: boolean };
  @ApiProperty({
    type: 'object',
    properties: {
      policy: { type: 'string', enum: [...TEAMING_POLICIES] },
      notifySwitches: { type: 'boolean' },
      failback: { type: 'boolean' },
    },
  })
  teaming!: { policy: (typeof TEAMING_POLICIES)[number]; notifySwitches: boolean; failback: boolean };
  @ApiProperty({
    type: 'object',
    properties: {
      enabled: { type: 'boolean' },
      averageBandwidthKbps: { type: 'integer' },
      peakBandwidthKbps: { type: 'integer' },
      burstSizeKb: { type: 'integer' },
    },
  })
  shaping!: { enabled: boolean; averageBandwidthKbps: number; peakBandwidthKbps: number; burstSizeKb: number };
}

export class HostPortGroupView {
  @ApiProperty()
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 4094 })
  vlanId!: number;
  @ApiProperty()
  management!: boolean;
  @ApiProperty({ type: HostPolicyView })
  policy!: HostPolicyView;
}

export class HostPortView {
  @ApiProperty()
  id!: string;
  @ApiProperty()
  portGroupId!: string;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 4094,
    description: "its port group's VLAN, or this host's override of it (a repaired management port)",
  })
  vlanId!: number;
  @ApiProperty(CONNECTEE)
  connectee!: DcnConnecteeView | ManagementConnecteeView;
  @ApiPropertyOptional({
    description: 'on a clone of the management port (a restore from the console): the id of the port it was cloned from',
  })
  clonedFrom?: string;
  @ApiProperty({ type: 'integer', description: 'the switch revision at which this port last changed on this host' })
  appliedAtRevision!: number;
}

export class HostComputeSwitchView {
  @ApiProperty()
  id!: string;
  @ApiProperty({ type: 'integer' })
  revision!: number;
  @ApiProperty({ type: [HostPortGroupView] })
  portGroups!: HostPortGroupView[];
  @ApiProperty({ type: [HostPortView] })
  ports!: HostPortView[];
}

export class HostLogicalPortView {
  @ApiProperty()
  id!: string;
  @ApiProperty()
  logicalNetworkId!: string;
  @ApiProperty(CONNECTEE)
  connectee!: DcnConnecteeView | ManagementConnecteeView;
  @ApiProperty({ type: 'integer', description: "the network's revision at which this port last changed on this host" })
  appliedAtRevision!: number;
}
