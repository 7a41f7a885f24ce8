import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/**
 * Which of a field's failed constraints to report: that it should not be there, or is missing, then
 * that it has the wrong type (a range says nothing useful about a string), then whatever failed first.
 */
const RANK: Record<string, number> = { whitelistValidation: 0, isDefined: 1, nestedValidation: 3 };
const TYPE_CHECK = /^is(String|Int|Number|Boolean|Array|Object|Enum|UUID|ISO8601|DateString|Json|NotEmptyObject)$/;
const rank = (constraint: string) => RANK[constraint] ?? (TYPE_CHECK.test(constraint) ? 2 : 4);

/** One line per offending field, `path: reason` (the most relevant reason), nested fields as dotted paths. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const constraints = Object.entries(e.constraints ?? {});
    // Object.entries keeps class-validator's order; the sort is stable, so ties keep it.
    const [first] = constraints.sort(([a], [b]) => rank(a) - rank(b));
    const own = first ? [namingPath(first[1], e.property, path)] : [];
    return [...own, ...describeValidationErrors(e.children ?? [], path)];
  });
}

/** The reason, worded so that it names the field by its whole path. */
function namingPath(reason: string, property: string, path: string): string {
  if (reason.startsWith(path)) return reason;
  if (reason.startsWith(`${property} `)) return `${path}${reason.slice(property.length)}`;
  if (path === property && new RegExp(`\\b${property.replace(/[^\w]/g, '\\$&')}\\b`).test(reason)) return reason;
  return `${path}: ${reason}`;
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
