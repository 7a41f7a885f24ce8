import {
  HOST_ID_PATTERN,
  isJsonText,
  jsonTextBytes,
  OPAQUE_KEY_PATTERN,
  OPAQUE_NAMESPACE_MAX_LENGTH,
  OPAQUE_NAMESPACE_PATTERN,
  OPAQUE_VALUE_MAX_BYTES,
  TEAMING_POLICIES,
} from '@vnet/contracts';
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
  Validate,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { ROLLBACK_TIMEOUT_MAX, ROLLBACK_TIMEOUT_MIN } from '../switches/switch.decider.js';

/** The validation schemas of a switch snapshot document, schema versions 1 and 2 (see snapshot-document.ts). */
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

@ValidatorConstraint({ name: 'isJsonText' })
class JsonTextConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && jsonTextBytes(value) <= OPAQUE_VALUE_MAX_BYTES && isJsonText(value);
  }

  defaultMessage(): string {
    return `valueJson must be the text of one JSON value of at most ${OPAQUE_VALUE_MAX_BYTES} bytes`;
  }
}

class OpaqueEntitySchema {
  @IsIn(['switch', 'port-group']) type!: 'switch' | 'port-group';
  @IsUUID() id!: string;
}

class OpaqueEntrySchema {
  @IsObject() @ValidateNested() @Type(() => OpaqueEntitySchema) entity!: OpaqueEntitySchema;
  @IsString() @MaxLength(OPAQUE_NAMESPACE_MAX_LENGTH) @Matches(OPAQUE_NAMESPACE_PATTERN) namespace!: string;
  @IsString() @Matches(OPAQUE_KEY_PATTERN) key!: string;
  @Validate(JsonTextConstraint) valueJson!: string;
}

class SnapshotOpaqueSchema {
  @IsArray() @ArrayMaxSize(100000) @ValidateNested({ each: true }) @Type(() => OpaqueEntrySchema) entries!: OpaqueEntrySchema[];
}

/** Version 2: `opaque` holds the switch's and port groups' entries. */
export class SnapshotDocumentV2Schema {
  @IsIn(['vnet.switch-snapshot']) schema!: string;
  @IsIn([2]) schemaVersion!: number;
  @IsUUID() id!: string;
  @IsISO8601({ strict: true }) createdAt!: string;
  @IsObject() @ValidateNested() @Type(() => SwitchSchema) switch!: SwitchSchema;
  @IsArray() overrides!: unknown[];
  @IsObject() @ValidateNested() @Type(() => SnapshotOpaqueSchema) opaque!: SnapshotOpaqueSchema;
}
