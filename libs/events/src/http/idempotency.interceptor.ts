import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  type OnModuleDestroy,
} from '@nestjs/common';
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
 * with a server error (a 503 included) releases its key, so it can be tried again.
 *
 * Recording the outcome needs PostgreSQL, which may be gone by then (a create committed just before
 * it stopped): the outcome is then kept here and written as soon as PostgreSQL answers again, and a
 * retry of the same key waits for that write. So a retry after an outage gets the first answer, and
 * never creates the thing twice.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, OnModuleDestroy {
  /** Outcomes not yet written, by scope and key. */
  private readonly unwritten = new Map<string, () => Promise<void>>();
  private flushing: NodeJS.Timeout | null = null;

  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  onModuleDestroy(): void {
    if (this.flushing) clearInterval(this.flushing);
  }

  /** Writes an outcome, or keeps it to write later when PostgreSQL does not take it now. */
  private async record(scope: string, key: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch {
      this.unwritten.set(`${scope}\u0000${key}`, write);
      this.flushing ??= setInterval(() => void this.flush(), 1000).unref();
    }
  }

  /** Tries the outcomes kept (all, or the one of `id`); answers whether none of them is left. */
  private async flush(id?: string): Promise<boolean> {
    for (const [k, write] of [...this.unwritten]) {
      if (id !== undefined && k !== id) continue;
      try {
        await write();
        this.unwritten.delete(k);
      } catch {
        return false;
      }
    }
    if (this.unwritten.size === 0 && this.flushing) {
      clearInterval(this.flushing);
      this.flushing = null;
    }
    return true;
  }

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
            const status = res.statusCode;
            await this.record(scope, key, () => this.store.complete(scope, key, status, body));
            return body;
          }),
          catchError(async (err) => {
            const answer = toErrorBody(err);
            // A refused request is answered the same way next time; a server fault (5xx, a dependency
            // down) is not remembered.
            if (answer && answer.statusCode < 500)
              await this.record(scope, key, () => this.store.complete(scope, key, answer.statusCode, answer));
            else await this.record(scope, key, () => this.store.release(scope, key));
            throw err;
          }),
        );
      }),
    );
  }

  /** Waits (bounded) for a concurrent request with the same key to finish, then answers as it did. */
  private async claim(scope: string, key: string, hash: string) {
    for (let waited = 0; ; waited += 50) {
      // This key's outcome is still to be written (PostgreSQL was down): write it first.
      const id = `${scope}\u0000${key}`;
      if (this.unwritten.has(id) && !(await this.flush(id))) {
        throw new CodedHttpException(
          503,
          'DEPENDENCY_UNAVAILABLE',
          'PostgreSQL is unavailable: the first answer to this Idempotency-Key is not recorded yet',
          {
            dependency: 'postgresql',
          },
        );
      }
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
