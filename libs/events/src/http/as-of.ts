import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { InvalidInputError } from '../errors/domain-error.js';
import type { AsOf } from '../store/event-store.js';
import type { ErrorDocs } from './api-errors.decorator.js';

/** A point of the log as a client names it: a global position, or an ISO 8601 time with its zone. */
export const AS_OF_PATTERN = /^(\d{1,15}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))$/;

const MESSAGE = 'must be a log position or an ISO time';

/**
 * The point of the log that an `asOf` value names (`EventLog.load(type, id, asOf)`); 400 naming
 * `asOf` for anything else, such as a time that is no date.
 */
export function parseAsOf(value: string): AsOf {
  if (!AS_OF_PATTERN.test(value)) throw new InvalidInputError({ asOf: MESSAGE });
  if (/^\d+$/.test(value)) return { position: Number(value) };
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new InvalidInputError({ asOf: MESSAGE });
  return { time };
}

/** The `?asOf=` query of a read at a point of the log, checked like any other input. */
export class AsOfQueryDto {
  @ApiPropertyOptional({
    description: 'the state at this point of the log: a global log position, or an ISO time',
    pattern: AS_OF_PATTERN.source,
  })
  @IsOptional()
  @Matches(AS_OF_PATTERN, { message: `asOf ${MESSAGE}` })
  asOf?: string;
}

/** What a read at a point documents besides its 404 (none yet, or no more, at that point). */
export const AS_OF_ERRORS: ErrorDocs = { 400: 'VALIDATION_FAILED: `asOf` is neither a log position nor an ISO time' };
