import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { LOG_POSITION_MAX } from './validation.js';

export class ListEventsQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: LOG_POSITION_MAX,
    description: 'return events after this position (a `next` value)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be an integer position' })
  @Min(0, { message: 'after must be 0 or more' })
  @Max(LOG_POSITION_MAX, { message: 'after must be an integer position' })
  after?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 1000' })
  @Min(1, { message: 'limit must be an integer from 1 to 1000' })
  @Max(1000, { message: 'limit must be an integer from 1 to 1000' })
  limit: number = 100;

  @ApiPropertyOptional({ maxLength: 300, description: 'only the events of this object (its id as the API returns it)' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  streamId?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'only events of this type' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;

  @ApiPropertyOptional({ maxLength: 300, description: 'only events caused under this correlation id' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  correlationId?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'only events recorded for this actor' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'only events recorded at or after this ISO 8601 time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'only events recorded at or before this ISO 8601 time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 time' })
  to?: string;
}

export class EventMetadataView {
  @ApiProperty()
  correlationId!: string;
  @ApiProperty({ type: String, nullable: true })
  causationId!: string | null;
  @ApiProperty({ description: 'who caused it: a token name, or `system`' })
  actor!: string;
}

export class EventView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'global position in the log' })
  position!: number;
  @ApiProperty()
  streamId!: string;
  @ApiProperty()
  type!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'position in its stream' })
  version!: number;
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: unknown;
  @ApiProperty({ type: EventMetadataView })
  metadata!: EventMetadataView;
  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
}

export class EventPage {
  @ApiProperty({ type: [EventView] })
  events!: EventView[];
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'pass as `after` for the following page; null when nothing more is recorded yet',
  })
  next!: number | null;
}

export class RebuildView {
  @ApiProperty({ enum: [true] })
  rebuilt!: true;
  @ApiProperty({ format: 'uuid', description: 'the rebuild, readable at `GET /admin/rebuilds/:id`' })
  id!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'events replayed' })
  events!: number;
  @ApiProperty({ type: 'integer', minimum: 0 })
  durationMs!: number;
}

export class RebuildTaskView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] })
  state!: 'running' | 'succeeded' | 'failed';
  @ApiProperty({ type: 'integer', minimum: 0, description: 'events replayed so far' })
  replayed!: number;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'events in the log when the replay began (0 until it has counted them)',
  })
  total!: number;
  @ApiProperty({ format: 'date-time' })
  startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, nullable: true })
  durationMs!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'why it failed; the read models are then as they were before it' })
  error!: string | null;
}
