import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListEventsQuery {
  @ApiPropertyOptional({ description: 'return events after this position (a `next` value)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be an integer position' })
  @Min(0, { message: 'after must be 0 or more' })
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 1000' })
  @Min(1, { message: 'limit must be an integer from 1 to 1000' })
  @Max(1000, { message: 'limit must be an integer from 1 to 1000' })
  limit: number = 100;

  @ApiPropertyOptional({ description: "the id of the object as the API returns it (a switch's, a DCN's, a network's, a host's id)" })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  streamId?: string;

  @ApiPropertyOptional({ description: 'only events of this type' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;

  @ApiPropertyOptional({ description: 'only events caused under this correlation id' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  correlationId?: string;

  @ApiPropertyOptional({ description: 'only events recorded for this actor' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ description: 'only events recorded at or after this ISO 8601 time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 time' })
  from?: string;

  @ApiPropertyOptional({ description: 'only events recorded at or before this ISO 8601 time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 time' })
  to?: string;
}

export interface EventView {
  id: string;
  position: number;
  streamId: string;
  type: string;
  version: number;
  data: unknown;
  metadata: { correlationId: string; causationId: string | null; actor: string };
  recordedAt: string;
}

export interface EventPage {
  events: EventView[];
  next: number | null;
}
