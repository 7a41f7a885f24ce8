import type { LoggerService, LogLevel } from '@nestjs/common';
import { currentContext } from './correlation.js';

const ORDER: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/**
 * One JSON object per line on stdout: time, level, service, context, correlation id, message, and
 * any structured fields passed as a trailing object.
 */
export class JsonLogger implements LoggerService {
  private minimum: number;

  constructor(
    private readonly service: string,
    level: LogLevel = 'log',
    private readonly fields: Record<string, unknown> = {},
  ) {
    this.minimum = ORDER.indexOf(level);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.minimum = Math.min(...levels.map((l) => ORDER.indexOf(l)));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (ORDER.indexOf(level) < this.minimum) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, service: this.service, ...this.fields };
    const ctx = currentContext();
    if (ctx) entry.correlationId = ctx.correlationId;
    // Nest passes the context (a class name) last, and for errors a stack before it.
    const args = [...rest];
    if (typeof args.at(-1) === 'string') entry.context = args.pop();
    for (const arg of args) {
      if (typeof arg === 'string') entry.stack = arg;
      else if (arg instanceof Error) Object.assign(entry, { error: arg.message, stack: arg.stack });
      else if (arg && typeof arg === 'object') Object.assign(entry, arg);
    }
    if (message instanceof Error) Object.assign(entry, { msg: message.message, stack: message.stack });
    else if (message && typeof message === 'object') Object.assign(entry, message);
    else entry.msg = String(message);
    process.stdout.write(`${JSON.stringify(entry)}\n`);
  }
}
