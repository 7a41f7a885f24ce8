import { Injectable, type NestMiddleware } from '@nestjs/common';
import { CodedHttpException } from './error-body.js';
import { InvalidRequestException } from './validation.js';

// The body parser reads application/json only: another JSON-ish type would reach the route unread.
const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

/** Whether the request carries a body at all (a bodiless POST such as `/admin/rebuild` needs no type). */
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (typeof length === 'string' && length !== '0');
}

/**
 * How deep a body may nest (objects and arrays). Deeper bodies are refused before anything walks
 * them recursively (class-transformer would overflow the stack on a few thousand levels).
 */
export const MAX_BODY_DEPTH = 512;

/** Whether a parsed JSON value nests deeper than `max`, found without recursion. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node))
      if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Every body the API reads is JSON: any other type is refused with 415 before the body parser,
 * which would otherwise leave it unread and the request would run on an empty body.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(req: { headers: Record<string, string | string[] | undefined>; body?: unknown }, _res: unknown, next: () => void): void {
    if (!hasBody(req.headers)) return next();
    const type = req.headers['content-type'];
    if (typeof type === 'string' && JSON_TYPE.test(type)) {
      if (nestsDeeperThan(req.body, MAX_BODY_DEPTH))
        throw new InvalidRequestException([`body: nests deeper than ${MAX_BODY_DEPTH} levels`]);
      return next();
    }
    throw new CodedHttpException(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      type
        ? `Content-Type ${String(type).split(';')[0]} is not supported: send application/json`
        : 'a request body needs Content-Type application/json',
    );
  }
}
