import { Injectable, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { NotFoundError } from '../errors/domain-error.js';

/**
 * A path id that must be a UUID. One that is not names nothing that exists: 404 NOT_FOUND with the
 * message an unknown id gets (`switch <id> not found`).
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (!isUUID(value)) throw new NotFoundError(this.what, value);
    return value;
  }
}
