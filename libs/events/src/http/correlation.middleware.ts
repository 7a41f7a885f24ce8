import { Injectable, type NestMiddleware } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { requestContext } from '../logging/correlation.js';

/** The actor of a request no credential was found for (only public routes run so). */
export const ANONYMOUS = 'anonymous';

const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes `X-Correlation-Id` (or makes one), echoes it, and makes it current for the request. The
 * actor is who the token guard finds the caller to be; until then, nobody.
 */
@Injectable()
export class CorrelationMiddleware implements NestMiddleware {
  use(
    req: { headers: Record<string, string | string[] | undefined> },
    res: { setHeader(name: string, value: string): void },
    next: () => void,
  ): void {
    const given = req.headers['x-correlation-id'];
    const correlationId = typeof given === 'string' && VALID.test(given) ? given : randomUUID();
    res.setHeader('X-Correlation-Id', correlationId);
    requestContext.run({ correlationId, actor: ANONYMOUS }, next);
  }
}
