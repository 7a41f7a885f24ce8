import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '../credentials/credential-set.js';
import { currentContext } from '../logging/correlation.js';
import { IS_PUBLIC } from './public.decorator.js';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

/** What the guard needs of the credentials: who a token is. */
export interface TokenResolver {
  resolve(token: string): Principal | null;
}

/** A viewer may send these; anything else is a write. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every endpoint but the @Public() ones needs `Authorization: Bearer <token>`: `ADMIN_TOKEN` or a
 * named credential. The request then acts under that name (the `actor` of its events); a viewer's
 * write is refused here, before anything of it runs.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: TokenResolver,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const open = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (open) return true;
    const req = context.switchToHttp().getRequest<{ method: string; headers: Record<string, string | undefined> }>();
    const header = req.headers.authorization;
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    const principal = match ? this.credentials.resolve(match[1].trim()) : null;
    if (!principal) throw new UnauthorizedException(header ? 'invalid admin token' : 'missing bearer token');
    const request = currentContext();
    if (request) request.actor = principal.name;
    if (principal.role === 'viewer' && !READS.has(req.method.toUpperCase())) {
      throw new ForbiddenException(`${principal.name} is a viewer: it may only read`);
    }
    return true;
  }
}
