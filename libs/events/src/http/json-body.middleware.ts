import { Injectable, type NestMiddleware } from '@nestjs/common';
import { CodedHttpException } from './error-body.js';

// The body parser reads application/json only: another JSON-ish type would reach the route unread.
const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

/** Whether the request carries a body at all (a bodiless POST such as `/admin/rebuild` needs no type). */
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (typeof length === 'string' && length !== '0');
}

/**
 * Every body the API reads is JSON: any other type is refused with 415 before the body parser,
 * which would otherwise leave it unread and the request would run on an empty body.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(req: { headers: Record<string, string | string[] | undefined> }, _res: unknown, next: () => void): void {
    if (!hasBody(req.headers)) return next();
    const type = req.headers['content-type'];
    if (typeof type === 'string' && JSON_TYPE.test(type)) return next();
    throw new CodedHttpException(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      type ? `Content-Type ${String(type).split(';')[0]} is not supported: send application/json` : 'a request body needs Content-Type application/json',
    );
  }
}
