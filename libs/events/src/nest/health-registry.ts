import { Injectable } from '@nestjs/common';
import type { HealthCheck } from '../http/health.js';

/** Features add what `/health` must check (NATS, PostgreSQL, read models, host stores). */
@Injectable()
export class HealthRegistry {
  readonly checks: HealthCheck[] = [];

  register(check: HealthCheck): void {
    this.checks.push(check);
  }
}
