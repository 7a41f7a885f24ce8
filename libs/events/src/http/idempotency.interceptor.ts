import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { from, type Observable, of } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { CodedHttpException, toErrorBody } from './error-body.js';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency.store.js';

const KEY = /^[A-Za-z0-9._:-]{1,255}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Canonical JSON: the same body with keys in another order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

interface Req {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string | undefined>;
}
interface Res {
  statusCode: number;
  status(code: number): Res;
}

/**
 * `Idempotency-Key` on a POST: the same key and body within 24 h gets the first answer and creates
 * nothing new; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED. A request that fails
 * with a server error releases its key, so it can be tried again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Req>();
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || key === undefined) return next.handle();
    if (!KEY.test(key)) {
      throw new CodedHttpException(400, 'VALIDATION_FAILED', 'Idempotency-Key: must be 1-255 characters of [A-Za-z0-9._:-]');
    }
    const res = context.switchToHttp().getResponse<Res>();
    const scope = `${req.method} ${req.path}`;
    const hash = createHash('sha256').update(canonical(req.body)).digest('hex');

    return from(this.claim(scope, key, hash)).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'replay') {
          res.status(claim.statusCode);
          return of(claim.response);
        }
        return next.handle().pipe(
          mergeMap(async (body) => {
            await this.store.complete(scope, key, res.statusCode, body);
            return body;
          }),
          catchError(async (err) => {
            const answer = toErrorBody(err);
            // A refused request is answered the same way next time; a server fault is not remembered.
            if (answer) await this.store.complete(scope, key, answer.statusCode, answer);
            else await this.store.release(scope, key);
            throw err;
          }),
        );
      }),
    );
  }

  /** Waits (bounded) for a concurrent request with the same key to finish, then answers as it did. */
  private async claim(scope: string, key: string, hash: string) {
    for (let waited = 0; ; waited += 50) {
      const claim = await this.store.claim(scope, key, hash);
      if (claim.kind === 'mismatch') {
        throw new CodedHttpException(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with another request body');
      }
      if (claim.kind !== 'pending') return claim;
      if (waited > 30000)
        throw new CodedHttpException(409, 'IDEMPOTENCY_KEY_IN_PROGRESS', 'a request with this Idempotency-Key is still running');
      await sleep(50);
    }
  }
}
