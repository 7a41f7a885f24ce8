import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import {
  IsNotEmpty,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';

/** The property may not be given together with `other`. */
function NotWith(other: string, options: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'notWith',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [other],
      options,
      validator: {
        validate: (value, args) => value === undefined || (args?.object as Record<string, unknown>)[other] === undefined,
      },
    });
}

export class CreateDcnDto {
  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name!: string;

  @ApiProperty({ example: 'host-1', pattern: HOST_ID_PATTERN.source })
  @Matches(HOST_ID_PATTERN, { message: 'hostId must match ^[A-Za-z0-9_-]{1,64}$' })
  hostId!: string;
}

/** Exactly one of `logicalNetworkId` and `portGroupId`. */
@ApiSchema({ description: 'exactly one of logicalNetworkId and portGroupId' })
export class AttachNicDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf((o: AttachNicDto) => o.portGroupId === undefined || o.logicalNetworkId !== undefined)
  @IsUUID('all', { message: 'logicalNetworkId must be a UUID (give exactly one of logicalNetworkId and portGroupId)' })
  logicalNetworkId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf((o: AttachNicDto) => o.logicalNetworkId === undefined || o.portGroupId !== undefined)
  @IsUUID('all', { message: 'portGroupId must be a UUID (give exactly one of logicalNetworkId and portGroupId)' })
  @NotWith('logicalNetworkId', { message: 'portGroupId must not be given with logicalNetworkId: give exactly one' })
  portGroupId?: string;
}

export class MigrateDcnDto {
  @ApiProperty({ example: 'host-2', pattern: HOST_ID_PATTERN.source })
  @Matches(HOST_ID_PATTERN, { message: 'targetHostId must match ^[A-Za-z0-9_-]{1,64}$' })
  targetHostId!: string;
}

export class NicNetworkView {
  @ApiProperty({ enum: ['logical', 'port-group'] })
  kind!: 'logical' | 'port-group';
  @ApiProperty({ description: 'the logical network id, or the port group id' })
  id!: string;
}

export class NicView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid', description: 'the port the host realizes for it' })
  portId!: string;
  @ApiProperty({ type: NicNetworkView })
  network!: NicNetworkView;
}

export class NicAttachedView extends NicView {
  @ApiProperty({ format: 'uuid' })
  taskId!: string;
}

export class DcnView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  hostId!: string;
  @ApiProperty({ type: [NicView] })
  nics!: NicView[];
}
