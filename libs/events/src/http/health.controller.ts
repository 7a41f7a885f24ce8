import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck as TerminusHealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
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
  @TerminusHealthCheck()
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
