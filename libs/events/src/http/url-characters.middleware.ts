import { Injectable, type NestMiddleware } from '@nestjs/common';
import { InvalidRequestException } from './validation.js';

// A NUL, raw or escaped: PostgreSQL text cannot hold one, and no id or parameter contains one.
const NUL = /%00|\u0000/;

/** Refuses a URL holding a NUL character (400), before an id or parameter carries it to the database. */
@Injectable()
export class UrlCharactersMiddleware implements NestMiddleware {
  use(req: { originalUrl?: string; url: string }, _res: unknown, next: () => void): void {
    if (NUL.test(req.originalUrl ?? req.url))
      throw new InvalidRequestException(['the URL must not contain a NUL character (%00)']);
    next();
  }
}
