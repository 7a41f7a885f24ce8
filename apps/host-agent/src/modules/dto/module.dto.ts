import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  OPAQUE_ENTITY_TYPES,
  OPAQUE_KEY_PATTERN,
  OPAQUE_NAMESPACE_MAX_LENGTH,
  OPAQUE_NAMESPACE_PATTERN,
  type OpaqueEntityType,
} from '@vnet/contracts';
import { IsString, Matches, MaxLength } from 'class-validator';
import { ENTITY_ID_PATTERN } from '../module-data.body.js';

const NAMESPACE = {
  message: `namespace must be a dotted name matching ${OPAQUE_NAMESPACE_PATTERN.source}, at most ${OPAQUE_NAMESPACE_MAX_LENGTH} characters`,
};

export class RegisterModuleDto {
  @ApiProperty({ example: 'acme.fw', pattern: OPAQUE_NAMESPACE_PATTERN.source, maxLength: OPAQUE_NAMESPACE_MAX_LENGTH })
  @IsString(NAMESPACE)
  @MaxLength(OPAQUE_NAMESPACE_MAX_LENGTH, NAMESPACE)
  @Matches(OPAQUE_NAMESPACE_PATTERN, NAMESPACE)
  namespace!: string;
}

/** `:hostId/modules/:namespace`: the namespace is checked here, the host by the service (404). */
export class ModuleParamsDto {
  @IsString()
  hostId!: string;

  @IsString(NAMESPACE)
  @MaxLength(OPAQUE_NAMESPACE_MAX_LENGTH, NAMESPACE)
  @Matches(OPAQUE_NAMESPACE_PATTERN, NAMESPACE)
  namespace!: string;
}

export class ModuleRegistrationView {
  @ApiProperty({ example: 'host-1' })
  hostId!: string;
  @ApiProperty({ example: 'acme.fw' })
  namespace!: string;
  @ApiProperty({ format: 'date-time', description: 'when a module first registered it on this host' })
  registeredAt!: string;
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

export class ModuleEntityRefView {
  @ApiProperty({ enum: OPAQUE_ENTITY_TYPES })
  type!: OpaqueEntityType;
  @ApiProperty({
    description: "the entity's id (a port is a DCN NIC's `portId`, a host its host id)",
    pattern: ENTITY_ID_PATTERN.source,
  })
  id!: string;
}

export class ModuleDataEntryView {
  @ApiProperty({ type: ModuleEntityRefView, description: 'the entity the entry applies to' })
  entity!: ModuleEntityRefView;
  @ApiProperty({ example: 'rules' })
  key!: string;
  @ApiProperty(ANY_JSON)
  value!: unknown;
  @ApiPropertyOptional({
    type: ModuleEntityRefView,
    description: 'present when the entry is inherited: the switch or port group that sets it',
  })
  inheritedFrom?: ModuleEntityRefView;
}

/**
 * The body of `POST .../data`, for the document only: it is read from the request's own text (see
 * module-data.body.ts), never through this class, so that the value is not parsed into numbers.
 */
export class PostModuleDataDto {
  @ApiProperty({ type: ModuleEntityRefView, description: 'what the data is about' })
  entity!: ModuleEntityRefView;
  @ApiProperty({ pattern: OPAQUE_KEY_PATTERN.source, example: 'counters' })
  key!: string;
  @ApiProperty({
    ...ANY_JSON,
    description: 'any JSON value whose text is at most 64 KiB (65536 bytes, UTF-8), sent on as that text',
  } as ApiPropertyOptions)
  value!: unknown;
}

export class ModuleDataAcceptedView {
  @ApiProperty({ description: "the message's id: the compute manager records it once, however often it is delivered" })
  id!: string;
}
