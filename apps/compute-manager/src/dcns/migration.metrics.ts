import { Injectable } from '@nestjs/common';
import { MetricsRegistry, SLOW_BUCKETS_SECONDS } from '@vnet/events';
import { Counter, Histogram } from 'prom-client';
import { migrationOutcome } from './migration-outcome.js';

/** DCN migrations: how each ended (succeeded, not_on_target, host_timeout, ...) and how long it took. */
@Injectable()
export class MigrationMetrics {
  private readonly migrations: Counter<'outcome'>;
  private readonly duration: Histogram<'outcome'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.migrations = new Counter({
      name: 'vnet_migrations_total',
      help: 'DCN migrations, by outcome (succeeded, not_on_target, host_timeout, unknown_host, unknown_dcn, in_progress, invalid, failed)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.duration = new Histogram({
      name: 'vnet_migration_duration_seconds',
      help: 'From a migration request to its answer, by outcome',
      labelNames: ['outcome'] as const,
      buckets: SLOW_BUCKETS_SECONDS,
      registers,
    });
  }

  /** Runs a migration and records how it ended; its answer or error passes through unchanged. */
  async observe<T>(migrate: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    const record = (error?: unknown) => {
      const outcome = migrationOutcome(error);
      this.migrations.inc({ outcome });
      this.duration.observe({ outcome }, Number(process.hrtime.bigint() - start) / 1e9);
    };
    try {
      const answer = await migrate();
      record();
      return answer;
    } catch (err) {
      record(err ?? new Error('migration failed'));
      throw err;
    }
  }
}
