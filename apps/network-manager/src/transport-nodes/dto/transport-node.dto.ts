import { ApiProperty } from '@nestjs/swagger';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import { ArrayMaxSize, IsArray, IsUUID, Matches } from 'class-validator';

export class AddTransportNodeDto {
  @ApiProperty({ example: 'host-1', pattern: HOST_ID_PATTERN.source })
  @Matches(HOST_ID_PATTERN, { message: 'hostId must match ^[A-Za-z0-9_-]{1,64}$' })
  hostId!: string;

  @ApiProperty({
    type: 'string',
    format: 'uuid',
    isArray: true,
    maxItems: 1000,
    description: "zones added to the host's zones (never replacing them)",
  })
  @IsArray({ message: 'transportZoneIds must be an array of zone ids' })
  @ArrayMaxSize(1000, { message: 'transportZoneIds must hold at most 1000 ids' })
  @IsUUID('all', { each: true, message: 'transportZoneIds must hold zone ids (UUIDs)' })
  transportZoneIds!: string[];
}

export class TransportNodeNetworkView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ type: 'integer', minimum: 1 })
  revision!: number;
  @ApiProperty({ description: 'the host reported it provisioned at this revision' })
  realized!: boolean;
}

export class TransportNodeView {
  @ApiProperty({ example: 'host-1' })
  hostId!: string;
  @ApiProperty({ type: 'string', format: 'uuid', isArray: true })
  transportZoneIds!: string[];
  @ApiProperty({ type: [TransportNodeNetworkView] })
  networks!: TransportNodeNetworkView[];
}
