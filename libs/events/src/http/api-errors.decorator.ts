import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

/** The name of the one error schema every service's document shares (CONTRACT §2). */
export const ERROR_SCHEMA = 'ErrorBody';
export const ERROR_SCHEMA_REF = `#/components/schemas/${ERROR_SCHEMA}`;

/** CONTRACT §2's error body; extra fields of an error sit at its top level. */
export const ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'code'],
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599, example: 404 },
    error: { type: 'string', description: 'the reason phrase of the status', example: 'Not Found' },
    message: { type: 'string', description: 'what went wrong, naming each offending field', example: 'switch 5b0c… not found' },
    code: {
      type: 'string',
      description: 'the machine code (NOT_FOUND, VALIDATION_FAILED, VERSION_CONFLICT, ...)',
      example: 'NOT_FOUND',
    },
    fields: {
      description: 'VALIDATION_FAILED: each offending field',
      oneOf: [
        { type: 'array', items: { type: 'string' } },
        { type: 'object', additionalProperties: { type: 'string' } },
      ],
    },
    missing: {
      type: 'array',
      items: { type: 'string' },
      description: 'NETWORK_NOT_ON_TARGET: the networks and port groups the target lacks',
    },
    hostIds: { type: 'array', items: { type: 'string' }, description: 'NOT_FOUND of hosts: the host ids not known' },
    dependency: { type: 'string', enum: ['postgresql', 'nats'], description: 'DEPENDENCY_UNAVAILABLE: what is unreachable' },
  },
  additionalProperties: true,
} as const;

/** The statuses an operation may document with the error schema. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 503 | 504;
/** Per status, the description: which codes it answers and when. */
export type ErrorDocs = Partial<Record<ErrorStatus, string>>;

/** Merges docs of the same status into one description. */
export function mergeErrorDocs(...docs: ErrorDocs[]): ErrorDocs {
  const merged: ErrorDocs = {};
  for (const doc of docs) {
    for (const [status, description] of Object.entries(doc) as Array<[`${ErrorStatus}`, string]>) {
      const key = Number(status) as ErrorStatus;
      merged[key] = merged[key] ? `${merged[key]}; ${description}` : description;
    }
  }
  return merged;
}

/** Documents each error status an operation answers with the shared error schema. */
export function ApiErrors(...docs: ErrorDocs[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(mergeErrorDocs(...docs)).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description,
        content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF } } },
      }),
    ),
  );
}

/** 404 for an unknown (or malformed) id of `what`. */
export const notFound = (...what: string[]): ErrorDocs => ({ 404: `NOT_FOUND: no ${what.join(', or no ')} with this id` });
