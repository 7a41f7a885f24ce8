import { ApiProperty } from '@nestjs/swagger';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import { Matches } from 'class-validator';

export class AddHostDto {
  @ApiProperty({ example: 'host-1' })
  @Matches(HOST_ID_PATTERN, { message: 'hostId must match ^[A-Za-z0-9_-]{1,64}$' })
  hostId!: string;
}

export interface HostView {
  hostId: string;
  connectionState: 'connected' | 'disconnected';
  lastSeenAt: string | null;
  logicalNetworks: string[];
}
