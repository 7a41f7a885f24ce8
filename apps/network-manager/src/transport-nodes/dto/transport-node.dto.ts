import { ApiProperty } from '@nestjs/swagger';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import { ArrayMaxSize, IsArray, IsUUID, Matches } from 'class-validator';

export class AddTransportNodeDto {
  @ApiProperty({ example: 'host-1' })
  @Matches(HOST_ID_PATTERN, { message: 'hostId must match ^[A-Za-z0-9_-]{1,64}$' })
  hostId!: string;

  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray({ message: 'transportZoneIds must be an array of zone ids' })
  @ArrayMaxSize(1000, { message: 'transportZoneIds must hold at most 1000 ids' })
  @IsUUID('all', { each: true, message: 'transportZoneIds must hold zone ids (UUIDs)' })
  transportZoneIds!: string[];
}

export interface TransportNodeView {
  hostId: string;
  transportZoneIds: string[];
  networks: Array<{ id: string; revision: number; realized: boolean }>;
}
