import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import { IsNotEmpty, IsString, IsUUID, Matches, MaxLength, registerDecorator, ValidateIf, type ValidationOptions } from 'class-validator';

/** The property may not be given together with `other`. */
function NotWith(other: string, options: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'notWith',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [other],
      options,
      validator: { validate: (value, args) => value === undefined || (args?.object as Record<string, unknown>)[other] === undefined },
    });
}

export class CreateDcnDto {
  @ApiProperty()
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name!: string;

  @ApiProperty({ example: 'host-1' })
  @Matches(HOST_ID_PATTERN, { message: 'hostId must match ^[A-Za-z0-9_-]{1,64}$' })
  hostId!: string;
}

/** Exactly one of `logicalNetworkId` and `portGroupId`. */
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
  @ApiProperty({ example: 'host-2' })
  @Matches(HOST_ID_PATTERN, { message: 'targetHostId must match ^[A-Za-z0-9_-]{1,64}$' })
  targetHostId!: string;
}

export interface NicView {
  id: string;
  portId: string;
  network: { kind: 'logical' | 'port-group'; id: string };
}

export interface DcnView {
  id: string;
  name: string;
  hostId: string;
  nics: NicView[];
}
