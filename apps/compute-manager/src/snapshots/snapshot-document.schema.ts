import { HOST_ID_PATTERN, TEAMING_POLICIES } from '@vnet/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ROLLBACK_TIMEOUT_MAX, ROLLBACK_TIMEOUT_MIN } from '../switches/switch.decider.js';

/** The validation schema of a switch snapshot document, schema version 1 (see snapshot-document.ts). */
class SecuritySchema {
  @IsBoolean() promiscuous!: boolean;
  @IsBoolean() macChanges!: boolean;
  @IsBoolean() forgedTransmits!: boolean;
}

class TeamingSchema {
  @IsIn(TEAMING_POLICIES) policy!: (typeof TEAMING_POLICIES)[number];
  @IsBoolean() notifySwitches!: boolean;
  @IsBoolean() failback!: boolean;
}

class ShapingSchema {
  @IsBoolean() enabled!: boolean;
  @IsInt() @Min(0) @Max(100000000) averageBandwidthKbps!: number;
  @IsInt() @Min(0) @Max(100000000) peakBandwidthKbps!: number;
  @IsInt() @Min(0) @Max(100000000) burstSizeKb!: number;
}

class PolicySchema {
  @IsObject() @ValidateNested() @Type(() => SecuritySchema) security!: SecuritySchema;
  @IsObject() @ValidateNested() @Type(() => TeamingSchema) teaming!: TeamingSchema;
  @IsObject() @ValidateNested() @Type(() => ShapingSchema) shaping!: ShapingSchema;
}

class PortGroupSchema {
  @IsUUID() id!: string;
  @IsString() @IsNotEmpty() @MaxLength(255) name!: string;
  @IsInt() @Min(0) @Max(4094) vlanId!: number;
  @IsBoolean() management!: boolean;
  @IsObject() @ValidateNested() @Type(() => PolicySchema) policy!: PolicySchema;
}

class SwitchSchema {
  @IsUUID() id!: string;
  @IsString() @IsNotEmpty() @MaxLength(255) name!: string;
  @IsInt() @Min(1) revision!: number;
  @IsInt() @Min(576) @Max(9216) mtu!: number;
  @IsInt() @Min(ROLLBACK_TIMEOUT_MIN) @Max(ROLLBACK_TIMEOUT_MAX) rollbackTimeoutMs!: number;
  @IsArray()
  @ArrayMaxSize(10000)
  @Matches(HOST_ID_PATTERN, { each: true, message: 'hostIds must hold host ids matching ^[A-Za-z0-9_-]{1,64}$' })
  hostIds!: string[];
  @IsArray() @ArrayMaxSize(4095) @ValidateNested({ each: true }) @Type(() => PortGroupSchema) portGroups!: PortGroupSchema[];
}

export class SnapshotDocumentSchema {
  @IsIn(['vnet.switch-snapshot']) schema!: string;
  @IsIn([1]) schemaVersion!: number;
  @IsUUID() id!: string;
  @IsISO8601({ strict: true }) createdAt!: string;
  @IsObject() @ValidateNested() @Type(() => SwitchSchema) switch!: SwitchSchema;
  @IsArray() overrides!: unknown[];
  @IsObject() opaque!: Record<string, unknown>;
}
