import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

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

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(300)
  streamId?: string;
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
