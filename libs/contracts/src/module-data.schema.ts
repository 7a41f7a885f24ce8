import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsISO8601,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  Validate,
} from 'class-validator';
import { HOST_ID_PATTERN } from './host-messages.js';
import type { ModuleData } from './module-data.js';
import {
  OPAQUE_ENTITY_TYPES,
  OPAQUE_KEY_PATTERN,
  OPAQUE_NAMESPACE_MAX_LENGTH,
  OPAQUE_NAMESPACE_PATTERN,
  OPAQUE_VALUE_MAX_BYTES,
  type OpaqueEntityType,
} from './opaque-data.js';
import { isJsonText, jsonTextBytes } from './raw-json.js';

@ValidatorConstraint({ name: 'isJsonText' })
class JsonTextConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && jsonTextBytes(value) <= OPAQUE_VALUE_MAX_BYTES && isJsonText(value);
  }

  defaultMessage(): string {
    return `valueJson must be the text of one JSON value of at most ${OPAQUE_VALUE_MAX_BYTES} bytes`;
  }
}

export class OpaqueEntityRefSchema {
  @IsIn(OPAQUE_ENTITY_TYPES)
  type!: OpaqueEntityType;

  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  id!: string;
}

/** The schema a module's data must meet before the compute manager records anything of it. */
export class ModuleDataMessage implements ModuleData {
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/)
  id!: string;

  @Matches(HOST_ID_PATTERN)
  hostId!: string;

  @IsString()
  @MaxLength(OPAQUE_NAMESPACE_MAX_LENGTH)
  @Matches(OPAQUE_NAMESPACE_PATTERN)
  namespace!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => OpaqueEntityRefSchema)
  entity!: OpaqueEntityRefSchema;

  @Matches(OPAQUE_KEY_PATTERN)
  key!: string;

  @Validate(JsonTextConstraint)
  valueJson!: string;

  @IsISO8601()
  sentAt!: string;
}
