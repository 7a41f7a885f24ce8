import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { currentContext } from '../logging/correlation.js';
import { toErrorBody } from './error-body.js';

interface HttpResponse {
  headersSent: boolean;
  status(code: number): HttpResponse;
  json(body: unknown): void;
}

/** The one place where errors become HTTP answers (CONTRACT §2). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<HttpResponse>();
    const body = toErrorBody(exception) ?? this.unexpected(exception);
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }

  private unexpected(exception: unknown) {
    const correlationId = currentContext()?.correlationId;
    this.logger.error({
      msg: 'unexpected error',
      error: String((exception as Error)?.message ?? exception),
      stack: (exception as Error)?.stack,
    });
    return {
      statusCode: 500,
      error: 'Internal Server Error',
      message: `unexpected error${correlationId ? ` (correlation id ${correlationId})` : ''}`,
      code: 'INTERNAL',
    };
  }
}
