import { HttpException, HttpStatus } from '@nestjs/common';
import { isDomainError } from '../errors/domain-error.js';
import { unavailableDependency, unavailableMessage } from './dependency-error.js';
import { InvalidRequestException } from './validation.js';

/** CONTRACT §2's error body: extra fields (such as `missing`) sit at its top level. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: string;
  [extra: string]: unknown;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

const reason = (status: number): string =>
  (HttpStatus[status] ?? 'ERROR')
    .toString()
    .split('_')
    .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
    .join(' ');

/** An error the edge raises with a code of its own (such as 422 IDEMPOTENCY_KEY_REUSED). */
export class CodedHttpException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message, status);
  }
}

type HealthDetails = Record<string, { status: string; message?: string }>;

/** `/health`'s 503 (thrown by terminus with the result of every check): names what is down. */
function healthBody(exception: HttpException): ErrorBody | null {
  const response = exception.getResponse() as { status?: unknown; details?: HealthDetails } | string;
  if (typeof response !== 'object' || response.status !== 'error' || !response.details) return null;
  const down = Object.entries(response.details)
    .filter(([, check]) => check.status !== 'up')
    .map(([name, check]) => (check.message ? `${name} (${check.message})` : name));
  return {
    statusCode: 503,
    error: 'Service Unavailable',
    message: `down: ${down.join(', ')}`,
    code: 'DEPENDENCY_UNAVAILABLE',
    status: 'error',
    details: response.details,
  };
}

/** Maps anything thrown to a status and body; null for the unexpected (a generic 500). */
export function toErrorBody(exception: unknown): ErrorBody | null {
  if (isDomainError(exception)) {
    return {
      statusCode: exception.status,
      error: reason(exception.status),
      message: exception.message,
      code: exception.code,
      ...exception.details,
    };
  }
  if (exception instanceof CodedHttpException) {
    const status = exception.getStatus();
    return { statusCode: status, error: reason(status), message: exception.message, code: exception.code, ...exception.details };
  }
  if (exception instanceof InvalidRequestException) {
    return {
      statusCode: 400,
      error: 'Bad Request',
      message: exception.message,
      code: 'VALIDATION_FAILED',
      fields: exception.problems,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 503) return healthBody(exception);
    if (status >= 500) return null;
    const response = exception.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? exception.message);
    const malformed = status === 400 && exception.cause instanceof SyntaxError;
    return {
      statusCode: status,
      error: reason(status),
      message: malformed ? `malformed JSON body: ${message}` : message,
      code: malformed ? 'MALFORMED_JSON' : (CODE_BY_STATUS[status] ?? 'ERROR'),
    };
  }
  const dependency = unavailableDependency(exception);
  if (dependency) {
    return {
      statusCode: 503,
      error: 'Service Unavailable',
      message: unavailableMessage(dependency, exception),
      code: 'DEPENDENCY_UNAVAILABLE',
      dependency,
    };
  }
  return null;
}
