import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EventLog, MetricsRegistry, type RecordedEvent } from '@vnet/events';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Liveness } from '../heartbeats/liveness.js';
import type { HostEvent } from './host.decider.js';

/**
 * Hosts known to the inventory and whether they are connected, read when scraped: the known ids
 * are kept in memory (read once at boot, then from the committed events), liveness is live state,
 * so a scrape costs one pass over the ids and no query.
 */
@Injectable()
export class HostMetrics implements OnApplicationBootstrap {
  private readonly known = new Set<string>();

  constructor(
    metrics: MetricsRegistry,
    @Inject(EventLog) log: EventLog,
    private readonly dataSource: DataSource,
    liveness: Liveness,
  ) {
    const registers = [metrics.registry];
    const known = this.known;
    const connected = (): number => {
      const now = Date.now();
      let n = 0;
      for (const hostId of known) if (liveness.state(hostId, now) === 'connected') n++;
      return n;
    };
    new Gauge({
      name: 'vnet_hosts_known',
      help: 'Hosts in the compute manager’s inventory (added, or discovered through their reports)',
      registers,
      collect() {
        this.set(known.size);
      },
    });
    new Gauge({
      name: 'vnet_hosts_connected',
      help: 'Known hosts whose heartbeats arrive (connectionState connected)',
      registers,
      collect() {
        this.set(connected());
      },
    });
    new Gauge({
      name: 'vnet_hosts_disconnected',
      help: 'Known hosts whose heartbeats stopped, or never came (connectionState disconnected)',
      registers,
      collect() {
        this.set(known.size - connected());
      },
    });
    log.onCommitted((events) => this.learn(events));
  }

  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.dataSource.query<Array<{ host_id: string }>>('SELECT host_id FROM hosts');
    for (const { host_id } of rows) this.known.add(host_id);
  }

  private learn(events: readonly RecordedEvent[]): void {
    for (const event of events) {
      const e = event as unknown as HostEvent;
      if (e.type === 'HostAdded' || e.type === 'HostDiscovered' || e.type === 'HostNetworksReported') this.known.add(e.data.hostId);
    }
  }
}
