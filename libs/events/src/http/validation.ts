import { type ArgumentMetadata, BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * An optional field of a request body: it may be left out, but `null` is a value like any other,
 * which the field's own checks then refuse ("name must be a string"). class-validator's
 * `IsOptional` lets `null` through unchecked, and a `null` name or MTU would reach the decider.
 */
export function IsOptionalField(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}

/** The largest log position a request may name: beyond it a number no longer holds an integer exactly. */
export const LOG_POSITION_MAX = Number.MAX_SAFE_INTEGER;

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

/**
 * What class-validator's whitelist cannot see in a body, because class-transformer never copies it
 * to the DTO: keys such as `__proto__`, `constructor`, `prototype` or `valueOf` (any name the DTO
 * inherits); and, in string fields, what PostgreSQL cannot store (a NUL, a lone surrogate).
 * `plain` is the body as sent, `dto` what the pipe made of it.
 */
export function hiddenProblems(plain: unknown, dto: unknown, path = ''): string[] {
  if (Array.isArray(plain) && Array.isArray(dto))
    return plain.flatMap((item, i) => hiddenProblems(item, dto[i], `${path}[${i}]`));
  if (!isDto(dto) || !plain || typeof plain !== 'object' || Array.isArray(plain)) return [];
  const problems: string[] = [];
  for (const key of Object.keys(plain)) {
    const field = path ? `${path}.${key}` : key;
    const value = (plain as Record<string, unknown>)[key];
    const type = declaredAs(dto, key);
    if (!Object.hasOwn(dto, key)) problems.push(`property ${field} should not exist`);
    else if ((type === String && unstorable(value)) || (type === Array && Array.isArray(value) && value.some(unstorable)))
      problems.push(`${field} must be text without NUL characters or lone surrogates`);
    else problems.push(...hiddenProblems(value, (dto as Record<string, unknown>)[key], field));
  }
  return problems;
}

/** An instance of a DTO class (a nested DTO included), not a plain value such as an opaque JSON value. */
function isDto(value: unknown): value is object {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto !== null && proto !== Object.prototype;
}

function declaredAs(dto: object, key: string): unknown {
  return Reflect.getMetadata?.('design:type', Object.getPrototypeOf(dto) as object, key);
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorable = (value: unknown): boolean =>
  typeof value === 'string' && (value.includes('\u0000') || LONE_SURROGATE.test(value));

/** The keys of a JSON-like value as sent, before Nest's pipe deletes `__proto__` and `constructor` keys. */
function copyOf(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return value;
  }
}

/** The global pipe: class-validator's, plus what its whitelist cannot see (hiddenProblems). */
class VnetValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const sent = copyOf(value);
    const dto: unknown = await super.transform(value, metadata);
    const problems = hiddenProblems(sent, dto);
    if (problems.length > 0) throw new InvalidRequestException(problems);
    return dto;
  }
}

/** Rejects unknown fields; the 400 names every offending field. */
export function createValidationPipe(): ValidationPipe {
  return new VnetValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => new InvalidRequestException(describeValidationErrors(errors)),
  });
}
