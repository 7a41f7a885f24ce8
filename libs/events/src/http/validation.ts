import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** Each offending field as `path: reason`, nested properties as dotted paths. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((why) => (why.startsWith(e.property) || why.startsWith(path) ? why : `${path}: ${why}`));
    return [...own, ...describeValidationErrors(e.children ?? [], path)];
  });
}

export class InvalidRequestException extends BadRequestException {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** Rejects unknown fields; the 400 names every offending field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => new InvalidRequestException(describeValidationErrors(errors)),
  });
}
