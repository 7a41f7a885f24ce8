import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { IS_PUBLIC } from './public.decorator.js';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Every endpoint but the @Public() ones needs `Authorization: Bearer <ADMIN_TOKEN>`. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    private readonly reflector: Reflector,
    token: string,
  ) {
    this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const open = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (open) return true;
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization;
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    // Compare digests in constant time: the token's length leaks nothing either.
    if (match && timingSafeEqual(digest(match[1].trim()), this.expected)) return true;
    throw new UnauthorizedException(header ? 'invalid admin token' : 'missing bearer token');
  }
}
