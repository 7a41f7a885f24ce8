import { ApiProperty } from '@nestjs/swagger';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import { Matches } from 'class-validator';

export class AddHostDto {
  @ApiProperty({ example: 'host-1', pattern: HOST_ID_PATTERN.source })
  @Matches(HOST_ID_PATTERN, { message: 'hostId must match ^[A-Za-z0-9_-]{1,64}$' })
  hostId!: string;
}

export class HostView {
  @ApiProperty({ example: 'host-1' })
  hostId!: string;
  @ApiProperty({ enum: ['connected', 'disconnected'] })
  connectionState!: 'connected' | 'disconnected';
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeenAt!: string | null;
  @ApiProperty({ type: [String], description: 'ids of the read-only constructs obtained from that host' })
  logicalNetworks!: string[];
}
