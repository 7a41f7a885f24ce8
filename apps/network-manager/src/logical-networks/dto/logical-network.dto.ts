import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { MTU_MAX, MTU_MIN, VNI_MAX, VNI_MIN } from '../logical-network.decider.js';

export class CreateLogicalNetworkDto {
  @ApiProperty()
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'transportZoneId must be a UUID' })
  transportZoneId!: string;

  @ApiPropertyOptional({ minimum: VNI_MIN, maximum: VNI_MAX, description: 'allocated from the pool when not given' })
  @IsOptional()
  @IsInt({ message: `vni must be an integer from ${VNI_MIN} to ${VNI_MAX}` })
  @Min(VNI_MIN, { message: `vni must be an integer from ${VNI_MIN} to ${VNI_MAX}` })
  @Max(VNI_MAX, { message: `vni must be an integer from ${VNI_MIN} to ${VNI_MAX}` })
  vni?: number;

  @ApiPropertyOptional({ minimum: MTU_MIN, maximum: MTU_MAX, default: 1500 })
  @IsOptional()
  @IsInt({ message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  @Min(MTU_MIN, { message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  @Max(MTU_MAX, { message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  mtu?: number;
}

export class UpdateLogicalNetworkDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name?: string;

  @ApiPropertyOptional({ minimum: MTU_MIN, maximum: MTU_MAX })
  @IsOptional()
  @IsInt({ message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  @Min(MTU_MIN, { message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  @Max(MTU_MAX, { message: `mtu must be an integer from ${MTU_MIN} to ${MTU_MAX}` })
  mtu?: number;
}

export interface LogicalNetworkView {
  id: string;
  name: string;
  vni: number;
  transportZoneId: string;
  mtu: number;
  revision: number;
}

export interface LogicalNetworkDetailView extends LogicalNetworkView {
  realizedOn: string[];
  ports: Array<{ hostId: string; portId: string; dcnId: string | null }>;
}
