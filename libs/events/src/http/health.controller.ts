import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ERROR_SCHEMA_REF } from './api-errors.decorator.js';
import {
  HealthCheck as TerminusHealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { HEALTH_CHECKS, type HealthCheck } from './health.js';
import { Public } from './public.decorator.js';

/** 200 `{"status":"ok"}` only while every dependency is up and read models have caught up; 503 otherwise. */
@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
  ) {}

  @Get()
  // The 503 body is the error shape of every service (§2), with terminus's result of each check beside it.
  @TerminusHealthCheck({ swaggerDocumentation: false, noCache: true })
  @ApiOkResponse({
    description: 'every dependency is up and the read models have caught up',
    schema: {
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'string', enum: ['ok'] },
        info: { type: 'object' },
        error: { type: 'object' },
        details: { type: 'object' },
      },
    },
  })
  @ApiServiceUnavailableResponse({
    description: 'DEPENDENCY_UNAVAILABLE: the message names what is down; `details` has the result of each check',
    schema: { $ref: ERROR_SCHEMA_REF },
  })
  @ApiOperation({ summary: 'Whether every dependency is up and the read models have caught up', security: [] })
  check(): Promise<HealthCheckResult> {
    return this.health.check(
      this.checks.map((c) => async () => {
        const session = this.indicators.check(c.name);
        try {
          return session.up((await c.check()) ?? {});
        } catch (err) {
          return session.down({ message: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
  }
}
