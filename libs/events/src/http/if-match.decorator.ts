import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { InvalidRequestException } from './validation.js';

/** The revision named by `If-Match` (quotes and W/ allowed), or undefined when absent. */
export const IfMatch = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined => {
  const raw = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['if-match'];
  if (raw === undefined) return undefined;
  const value = raw
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
  if (!/^\d{1,15}$/.test(value)) throw new InvalidRequestException(['If-Match: must be a revision number']);
  return Number(value);
});
