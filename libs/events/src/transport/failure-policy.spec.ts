import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { IsString } from 'class-validator';
import { classifyFailure, nakDelay } from './failure-policy.js';
import { InvalidMessageError } from './invalid-message.error.js';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { ExecutionContextHost } from '@nestjs/core/internal';
import { firstValueFrom } from 'rxjs';

class HostReported {
  @IsString()
  hostId!: string;
}

describe('classifyFailure', () => {
  it("treats an InvalidMessageError as poison, also after Nest's default filter flattened it", async () => {
    const err = new InvalidMessageError('unknown schema version 9');
    expect(classifyFailure(err)).toEqual({ kind: 'poison', reason: 'unknown schema version 9' });

    const host = new ExecutionContextHost([{}, {}]);
    host.setType('rpc');
    const flattened = await firstValueFrom(new BaseRpcExceptionFilter().catch(err, host)).catch((e: unknown) => e);
    expect(classifyFailure(flattened)).toEqual({ kind: 'poison', reason: 'unknown schema version 9' });
  });

  it('treats a ValidationPipe rejection as poison and names the field', async () => {
    const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true });
    const err = await pipe.transform({ hostId: 42 }, { type: 'body', metatype: HostReported }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestException);
    const failure = classifyFailure(err);
    expect(failure.kind).toBe('poison');
    expect(failure.reason).toContain('hostId must be a string');
  });

  it('retries anything else', () => {
    expect(classifyFailure(new Error('connection refused'))).toEqual({ kind: 'transient', reason: 'connection refused' });
    expect(classifyFailure({ status: 'error', message: 'Internal server error' }).kind).toBe('transient');
  });
});

describe('nakDelay', () => {
  it('doubles with each delivery and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => nakDelay(n, 1000, 10_000))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });
});
