import { ApiProperty } from '@nestjs/swagger';
import type { LogicalNetworkConstruct } from '@vnet/contracts';

/** A read-only construct the compute manager obtained from its hosts, with the hosts that hold it. */
export class LearnedNetworkView implements LogicalNetworkConstruct {
  @ApiProperty()
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ type: 'integer' })
  vni!: number;
  @ApiProperty({ type: 'integer' })
  mtu!: number;
  @ApiProperty()
  transportZoneId!: string;
  @ApiProperty({ type: 'integer' })
  revision!: number;
  @ApiProperty({ enum: ['network-manager'] })
  owner!: 'network-manager';
  @ApiProperty({ type: [String], description: 'the hosts that reported it' })
  hosts!: string[];
}
