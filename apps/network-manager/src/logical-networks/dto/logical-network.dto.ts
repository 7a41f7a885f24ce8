import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsOptionalField, LOG_POSITION_MAX } from '@vnet/events';
import { MTU_MAX, MTU_MIN, VNI_MAX, VNI_MIN } from '../logical-network.decider.js';

export class CreateLogicalNetworkDto {
  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'transportZoneId must be a UUID' })
  transportZoneId!: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: VNI_MIN,
    maximum: VNI_MAX,
    description: 'unique across the manager; allocated from the pool when not given',
  })
  @IsOptionalField()
  @IsInt({ message: `vni must be an integer from ${VNI_MIN} to ${VNI_MAX}` })
  @Min(VNI_MIN, { message: `vni must be an integer from ${VNI_MIN} to ${VNI_MAX}` })
  @Max(VNI_MAX, { message: `vni must be an integer from ${VNI_MIN} to ${VNI_MAX}` })
  vni?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: MTU_MIN, maximum: MTU_MAX, description: 'default 1500' })
  @IsOptionalField()
  @IsInt({ message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  @Min(MTU_MIN, { message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  @Max(MTU_MAX, { message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  mtu?: number;
}

export class UpdateLogicalNetworkDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 255 })
  @IsOptionalField()
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: MTU_MIN, maximum: MTU_MAX })
  @IsOptionalField()
  @IsInt({ message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  @Min(MTU_MIN, { message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  @Max(MTU_MAX, { message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  mtu?: number;
}

export class RevertLogicalNetworkDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: LOG_POSITION_MAX,
    description: 'the global log position whose state the network goes back to',
  })
  @IsInt({ message: 'toPosition must be a log position (an integer of 1 or more)' })
  @Min(1, { message: 'toPosition must be a log position (an integer of 1 or more)' })
  @Max(LOG_POSITION_MAX, { message: 'toPosition must be a log position (an integer of 1 or more)' })
  toPosition!: number;
}

export class LogicalNetworkView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ type: 'integer', minimum: VNI_MIN, maximum: VNI_MAX })
  vni!: number;
  @ApiProperty({ format: 'uuid' })
  transportZoneId!: string;
  @ApiProperty({ type: 'integer', minimum: MTU_MIN, maximum: MTU_MAX })
  mtu!: number;
  @ApiProperty({ type: 'integer', minimum: 1 })
  revision!: number;
}

export class LogicalPortView {
  @ApiProperty()
  hostId!: string;
  @ApiProperty()
  portId!: string;
  @ApiProperty({ type: String, nullable: true })
  dcnId!: string | null;
}

export class LogicalNetworkDetailView extends LogicalNetworkView {
  @ApiProperty({ type: [String], description: 'hosts that reported it provisioned' })
  realizedOn!: string[];
  @ApiProperty({ type: [LogicalPortView], description: 'logical ports hosts reported on it' })
  ports!: LogicalPortView[];
}
