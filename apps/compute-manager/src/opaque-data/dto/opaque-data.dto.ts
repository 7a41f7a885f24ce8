import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  OPAQUE_ENTITY_TYPES,
  OPAQUE_KEY_PATTERN,
  OPAQUE_NAMESPACE_MAX_LENGTH,
  OPAQUE_NAMESPACE_PATTERN,
  type OpaqueEntityType,
} from '@vnet/contracts';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const NAMESPACE = { message: `namespace must be a dotted name matching ${OPAQUE_NAMESPACE_PATTERN.source}` };

export class OpaqueEntityParamsDto {
  @IsIn(OPAQUE_ENTITY_TYPES, { message: `entityType must be one of ${OPAQUE_ENTITY_TYPES.join(', ')}` })
  entityType!: OpaqueEntityType;

  @IsString()
  entityId!: string;
}

export class OpaqueKeyParamsDto extends OpaqueEntityParamsDto {
  @IsString()
  @MaxLength(OPAQUE_NAMESPACE_MAX_LENGTH)
  @Matches(OPAQUE_NAMESPACE_PATTERN, NAMESPACE)
  namespace!: string;

  @IsString()
  @Matches(OPAQUE_KEY_PATTERN, { message: `key must match ${OPAQUE_KEY_PATTERN.source} (at most 128 characters)` })
  key!: string;
}

export class OpaqueQueryDto {
  @ApiPropertyOptional({ description: "only this namespace's entries", example: 'com.acme.monitor' })
  @IsOptional()
  @IsString()
  @MaxLength(OPAQUE_NAMESPACE_MAX_LENGTH)
  @Matches(OPAQUE_NAMESPACE_PATTERN, NAMESPACE)
  namespace?: string;

  @ApiPropertyOptional({ description: 'a log position or an ISO 8601 time: the entries as they were then', example: '42' })
  @IsOptional()
  @IsString()
  asOf?: string;
}

/** Any JSON value: what the channel carries unread. */
export const ANY_JSON: ApiPropertyOptions = {
  description: 'any JSON value, carried unread and answered exactly as it was sent (the same text)',
  // OpenAPI 3.0 has no null type: the object alternative is the nullable one.
  anyOf: [
    { type: 'object', nullable: true },
    { type: 'array', items: {} },
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
  ],
} as ApiPropertyOptions;

/**
 * The body of a PUT, for the document only: the value is taken as raw text from the request's bytes
 * (see opaque-value.ts), never through this class, so that it is not parsed into numbers.
 */
export class PutOpaqueValueDto {
  @ApiProperty({
    ...ANY_JSON,
    description: 'any JSON value whose text is at most 64 KiB (65536 bytes, UTF-8)',
  } as ApiPropertyOptions)
  value!: unknown;
}

export class OpaqueEntityRefView {
  @ApiProperty({ enum: OPAQUE_ENTITY_TYPES })
  type!: OpaqueEntityType;

  @ApiProperty({ description: "the entity's id (a port is a DCN NIC's `portId`, a host its host id)" })
  id!: string;
}

export class OpaqueEntryView {
  @ApiProperty({ example: 'com.acme.monitor' })
  namespace!: string;

  @ApiProperty({ example: 'thresholds' })
  key!: string;

  @ApiProperty(ANY_JSON)
  value!: unknown;

  @ApiPropertyOptional({
    type: OpaqueEntityRefView,
    description: 'present when the entry is inherited: the switch or port group that sets it',
  })
  inheritedFrom?: OpaqueEntityRefView;

  @ApiPropertyOptional({ description: 'present on data a host module sent up: `host:<hostId>`', example: 'host:host-1' })
  source?: string;
}

export class OpaqueEntryWrittenView {
  @ApiProperty({ type: OpaqueEntityRefView })
  entity!: OpaqueEntityRefView;

  @ApiProperty()
  namespace!: string;

  @ApiProperty()
  key!: string;

  @ApiProperty(ANY_JSON)
  value!: unknown;
}
