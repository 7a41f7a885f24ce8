import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsRegistry } from '@vnet/events';
import { Gauge } from 'prom-client';
import { HostRegistry } from './host-registry.js';
import type { Host } from './host.js';

/**
 * What the host agent adds to /metrics: enough to tell, from outside, when thousands of hosts hold
 * what they were sent, have it on disk and have reported it. Gauges are computed when scraped.
 */
@Injectable()
export class HostAgentMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly registry: HostRegistry,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const sum = (f: (h: Host) => number) => {
      let n = 0;
      for (const h of this.registry.all()) n += f(h);
      return n;
    };
    const gauge = (name: string, help: string, value: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(value());
        },
      });
    gauge('vnet_host_agent_hosts', 'Hosts served by this process', () => this.registry.size);
    gauge('vnet_host_agent_constructs_held', 'Logical network constructs held, summed over hosts', () =>
      sum((h) => h.networkSwitch.count),
    );
    gauge('vnet_host_agent_hosts_management_connected', 'Hosts whose management round trips to the compute manager come back', () =>
      sum((h) => (h.managementConnected ? 1 : 0)),
    );
    gauge('vnet_host_agent_links_down', 'Hosts whose management link carries no traffic', () =>
      sum((h) => (h.link.flows ? 0 : 1)),
    );
    gauge('vnet_host_agent_stores_unwritten', 'Hosts whose store has changes not yet on disk', () =>
      sum((h) => (h.store.dirty || h.store.flushing ? 1 : 0)),
    );
    gauge('vnet_host_agent_stores_failing', 'Hosts whose last store write failed', () => sum((h) => (h.store.failure ? 1 : 0)));
    gauge('vnet_host_agent_reports_waiting', 'Hosts with a report not yet sent', () => sum((h) => (h.reports.hasWork ? 1 : 0)));
  }
}
