import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { HealthCheck } from '../http/health.js';
import { HealthRegistry } from '../nest/health-registry.js';
import { CachedProbe } from './cached-probe.js';
import { MetricsRegistry } from './metrics-registry.js';

/** The health checks that are connections to something outside the process, and their label. */
const DEPENDENCIES: Record<string, string> = { nats: 'nats', postgresql: 'postgresql', hostStores: 'host_store' };

const MAX_AGE_MS = 2000;
const SCRAPE_WAIT_MS = 1000;

/**
 * `vnet_dependency_up{dependency}`: 1 while the /health check of a dependency passes (NATS answers a
 * round trip, PostgreSQL a query, the host stores write), read at scrape time with a short wait so
 * that a down dependency reads 0 rather than holding the scrape.
 */
@Injectable()
export class DependencyMetrics {
  private readonly probes = new Map<string, CachedProbe<number>>();

  constructor(metrics: MetricsRegistry, health: HealthRegistry) {
    const probes = this.probes;
    const probeOf = (check: HealthCheck): CachedProbe<number> => {
      let probe = probes.get(check.name);
      if (!probe) {
        probe = new CachedProbe(async () => (await check.check(), 1), 0, { maxAgeMs: MAX_AGE_MS, waitMs: SCRAPE_WAIT_MS });
        probes.set(check.name, probe);
      }
      return probe;
    };
    new Gauge({
      name: 'vnet_dependency_up',
      help: 'Whether a dependency is reachable (1) or not (0): nats, postgresql, host_store',
      labelNames: ['dependency'] as const,
      registers: [metrics.registry],
      async collect() {
        const checks = health.checks.filter((c) => DEPENDENCIES[c.name]);
        const values = await Promise.all(checks.map((c) => probeOf(c).get()));
        checks.forEach((c, i) => this.set({ dependency: DEPENDENCIES[c.name] }, values[i]));
      },
    });
  }
}
