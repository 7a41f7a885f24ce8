import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HOST_ID_PATTERN, type PortGroupPolicy } from '@vnet/contracts';
import { IsOptionalField } from '@vnet/events';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { RESTORE_MODES, type RestoreTargetInput } from '../restore-plan.js';

export class RestoreTargetDto implements RestoreTargetInput {
  @ApiProperty({
    enum: RESTORE_MODES,
    description: "`same`: the snapshot's own switch; `new`: a new switch; `existing`: another existing switch",
  })
  @IsIn(RESTORE_MODES, { message: `mode must be one of ${RESTORE_MODES.join(', ')}` })
  mode!: RestoreTargetInput['mode'];

  @ApiPropertyOptional({ description: "mode `new`: the new switch's name" })
  @IsOptionalField()
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name?: string;

  @ApiPropertyOptional({ type: [String], description: "mode `new`: its hosts (default: the snapshot's hosts)" })
  @IsOptionalField()
  @IsArray({ message: 'hostIds must be an array of host ids' })
  @ArrayMaxSize(10000, { message: 'hostIds must hold at most 10000 hosts' })
  @Matches(HOST_ID_PATTERN, { each: true, message: 'hostIds must hold host ids matching ^[A-Za-z0-9_-]{1,64}$' })
  hostIds?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: "mode `existing`: the switch that takes the snapshot's port groups" })
  @IsOptionalField()
  @IsUUID('all', { message: 'switchId must be a UUID' })
  switchId?: string;
}

export class RestoreSnapshotDto {
  @ApiProperty({ type: RestoreTargetDto })
  @IsDefined({ message: 'target is required' })
  @IsObject({ message: 'target must be an object' })
  @ValidateNested()
  @Type(() => RestoreTargetDto)
  target!: RestoreTargetDto;
}

export class SnapshotView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  switchId!: string;
  @ApiProperty({ description: 'the switch revision the snapshot holds' })
  revision!: number;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({
    example: 'nats-object://vnet-snapshots/0b7c…',
    description: 'where the document is stored, outside the database',
  })
  location!: string;
}

export class SnapshotPortGroupView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ minimum: 0, maximum: 4094 })
  vlanId!: number;
  @ApiProperty()
  management!: boolean;
  @ApiProperty({ description: 'security, teaming and shaping, whole' })
  policy!: PortGroupPolicy;
}

export class SnapshotSwitchView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  revision!: number;
  @ApiProperty()
  mtu!: number;
  @ApiProperty()
  rollbackTimeoutMs!: number;
  @ApiProperty({ type: [String] })
  hostIds!: string[];
  @ApiProperty({ type: [SnapshotPortGroupView] })
  portGroups!: SnapshotPortGroupView[];
}

export class SnapshotDetailView extends SnapshotView {
  @ApiProperty({ example: 'vnet.switch-snapshot' })
  schema!: 'vnet.switch-snapshot';
  @ApiProperty({ enum: [1, 2], example: 2, description: 'version 2 holds opaque data; version 1 documents are still read' })
  schemaVersion!: 1 | 2;
  @ApiProperty({ type: SnapshotSwitchView, description: 'the switch as it was' })
  switch!: SnapshotSwitchView;
  @ApiProperty({ type: [Object], description: 'per-host port overrides (empty in schema version 1)' })
  overrides!: unknown[];
  @ApiProperty({
    description:
      "extensions' data on the switch and its port groups: `{entries: [{entity:{type,id}, namespace, key, valueJson}]}` (`valueJson` the value's JSON text); empty in schema version 1",
  })
  opaque!: object;
}

export class RestoreAnswer {
  @ApiProperty({ format: 'uuid' })
  taskId!: string;
  @ApiProperty({ format: 'uuid', description: 'the switch restored (for mode `new`, the new one)' })
  switchId!: string;
}
