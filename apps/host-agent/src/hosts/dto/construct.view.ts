import { ApiProperty } from '@nestjs/swagger';
import type { LogicalNetworkConstruct } from '@vnet/contracts';

/** The read-only construct of a logical network, as the network manager sent it (CONTRACT §3). */
export class LogicalNetworkConstructView implements LogicalNetworkConstruct {
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
}
