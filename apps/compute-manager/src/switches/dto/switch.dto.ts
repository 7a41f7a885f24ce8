import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HOST_ID_PATTERN, TEAMING_POLICIES } from '@vnet/contracts';
import { IsOptionalField, LOG_POSITION_MAX } from '@vnet/events';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ROLLBACK_TIMEOUT_MAX, ROLLBACK_TIMEOUT_MIN } from '../switch.decider.js';

const range = (field: string, min: number, max: number) => ({ message: `${field} must be an integer from ${min} to ${max}` });

export class CreateSwitchDto {
  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name!: string;

  @ApiProperty({
    type: 'string',
    isArray: true,
    maxItems: 10000,
    pattern: HOST_ID_PATTERN.source,
    description: 'the member hosts',
  })
  @IsArray({ message: 'hostIds must be an array of host ids' })
  @ArrayMaxSize(10000, { message: 'hostIds must hold at most 10000 hosts' })
  @Matches(HOST_ID_PATTERN, { each: true, message: 'hostIds must hold host ids matching ^[A-Za-z0-9_-]{1,64}$' })
  hostIds!: string[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: ROLLBACK_TIMEOUT_MIN,
    maximum: ROLLBACK_TIMEOUT_MAX,
    description: 'default 30000',
  })
  @IsOptionalField()
  @IsInt(range('rollbackTimeoutMs', ROLLBACK_TIMEOUT_MIN, ROLLBACK_TIMEOUT_MAX))
  @Min(ROLLBACK_TIMEOUT_MIN, range('rollbackTimeoutMs', ROLLBACK_TIMEOUT_MIN, ROLLBACK_TIMEOUT_MAX))
  @Max(ROLLBACK_TIMEOUT_MAX, range('rollbackTimeoutMs', ROLLBACK_TIMEOUT_MIN, ROLLBACK_TIMEOUT_MAX))
  rollbackTimeoutMs?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 576, maximum: 9216, description: 'default 1500' })
  @IsOptionalField()
  @IsInt(range('mtu', 576, 9216))
  @Min(576, range('mtu', 576, 9216))
  @Max(9216, range('mtu', 576, 9216))
  mtu?: number;
}

export class AddSwitchHostDto {
  @ApiProperty({ example: 'host-1', pattern: HOST_ID_PATTERN.source })
  @Matches(HOST_ID_PATTERN, { message: 'hostId must match ^[A-Za-z0-9_-]{1,64}$' })
  hostId!: string;
}

export class SecurityPolicyDto {
  @ApiProperty()
  @IsBoolean({ message: 'policy.security.promiscuous must be a boolean' })
  promiscuous!: boolean;
  @ApiProperty()
  @IsBoolean({ message: 'policy.security.macChanges must be a boolean' })
  macChanges!: boolean;
  @ApiProperty()
  @IsBoolean({ message: 'policy.security.forgedTransmits must be a boolean' })
  forgedTransmits!: boolean;
}

export class TeamingPolicyDto {
  @ApiProperty({ enum: TEAMING_POLICIES })
  @IsIn(TEAMING_POLICIES, { message: `policy.teaming.policy must be one of ${TEAMING_POLICIES.join(', ')}` })
  policy!: (typeof TEAMING_POLICIES)[number];
  @ApiProperty()
  @IsBoolean({ message: 'policy.teaming.notifySwitches must be a boolean' })
  notifySwitches!: boolean;
  @ApiProperty()
  @IsBoolean({ message: 'policy.teaming.failback must be a boolean' })
  failback!: boolean;
}

export class ShapingPolicyDto {
  @ApiProperty()
  @IsBoolean({ message: 'policy.shaping.enabled must be a boolean' })
  enabled!: boolean;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100000000 })
  @IsInt(range('policy.shaping.averageBandwidthKbps', 0, 100000000))
  @Min(0, range('policy.shaping.averageBandwidthKbps', 0, 100000000))
  @Max(100000000, range('policy.shaping.averageBandwidthKbps', 0, 100000000))
  averageBandwidthKbps!: number;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100000000 })
  @IsInt(range('policy.shaping.peakBandwidthKbps', 0, 100000000))
  @Min(0, range('policy.shaping.peakBandwidthKbps', 0, 100000000))
  @Max(100000000, range('policy.shaping.peakBandwidthKbps', 0, 100000000))
  peakBandwidthKbps!: number;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100000000 })
  @IsInt(range('policy.shaping.burstSizeKb', 0, 100000000))
  @Min(0, range('policy.shaping.burstSizeKb', 0, 100000000))
  @Max(100000000, range('policy.shaping.burstSizeKb', 0, 100000000))
  burstSizeKb!: number;
}

/** A port group policy: every part optional on input, completed from the defaults or the current policy. */
export class PolicyDto {
  @ApiPropertyOptional({ type: SecurityPolicyDto })
  @IsOptionalField()
  @ValidateNested()
  @Type(() => SecurityPolicyDto)
  security?: SecurityPolicyDto;

  @ApiPropertyOptional({ type: TeamingPolicyDto })
  @IsOptionalField()
  @ValidateNested()
  @Type(() => TeamingPolicyDto)
  teaming?: TeamingPolicyDto;

  @ApiPropertyOptional({ type: ShapingPolicyDto })
  @IsOptionalField()
  @ValidateNested()
  @Type(() => ShapingPolicyDto)
  shaping?: ShapingPolicyDto;
}

export class CreatePortGroupDto {
  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name!: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 4094 })
  @IsInt(range('vlanId', 0, 4094))
  @Min(0, range('vlanId', 0, 4094))
  @Max(4094, range('vlanId', 0, 4094))
  vlanId!: number;

  @ApiPropertyOptional({ description: 'default false: whether hosts put their management port on it' })
  @IsOptionalField()
  @IsBoolean({ message: 'management must be a boolean' })
  management?: boolean;

  @ApiPropertyOptional({
    type: PolicyDto,
    description: 'each part given replaces that part; the others keep their current (or default) value',
  })
  @IsOptionalField()
  @ValidateNested()
  @Type(() => PolicyDto)
  policy?: PolicyDto;
}

export class UpdatePortGroupDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 4094 })
  @IsOptionalField()
  @IsInt(range('vlanId', 0, 4094))
  @Min(0, range('vlanId', 0, 4094))
  @Max(4094, range('vlanId', 0, 4094))
  vlanId?: number;

  @ApiPropertyOptional({
    type: PolicyDto,
    description: 'each part given replaces that part; the others keep their current (or default) value',
  })
  @IsOptionalField()
  @ValidateNested()
  @Type(() => PolicyDto)
  policy?: PolicyDto;
}

export class RevertSwitchDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: LOG_POSITION_MAX,
    description: 'the global log position whose state the switch goes back to',
  })
  @IsInt({ message: 'toPosition must be a log position (an integer of 1 or more)' })
  @Min(1, { message: 'toPosition must be a log position (an integer of 1 or more)' })
  @Max(LOG_POSITION_MAX, { message: 'toPosition must be a log position (an integer of 1 or more)' })
  toPosition!: number;
}

export class RollbackQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: '`false` disables the rollback safety net for this change' })
  @IsOptionalField()
  @IsIn(['true', 'false'], { message: 'rollback must be true or false' })
  rollback?: 'true' | 'false';
}
