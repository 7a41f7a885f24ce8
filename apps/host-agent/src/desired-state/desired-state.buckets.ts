import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { KV_HOST_PORTS, KV_LOGICAL_NETWORKS, KV_SWITCHES, KV_TRANSPORT_NODES } from '@vnet/contracts';
import { HOST_NATS, type HostNats } from '../common/host-nats.js';

export interface Buckets {
  networks: KV;
  transportNodes: KV;
  /** The compute manager's: switches' final states, and each host's ports. */
  switches: KV;
  hostPorts: KV;
}

const RETRY_MS = 1000;
/**
 * Per JetStream API call. Short: a read lost in a NATS restart (sent as the server came back, before
 * JetStream was ready) fails soon and is tried again, instead of holding a host's sync for long.
 */
const API_TIMEOUT_MS = 2000;

/**
 * The network manager's desired-state buckets, opened (or created: whoever comes first) in the
 * background: a host agent serves its hosts from their stores while JetStream is not there yet.
 */
@Injectable()
export class DesiredStateBuckets implements OnApplicationShutdown {
  private readonly logger = new Logger('DesiredState');
  private opened: Promise<Buckets> | null = null;
  private closed = false;

  constructor(@Inject(HOST_NATS) private readonly nats: HostNats) {}

  get(): Promise<Buckets> {
    this.opened ??= this.open();
    return this.opened;
  }

  onApplicationShutdown(): void {
    this.closed = true;
  }

  private async open(): Promise<Buckets> {
    const kvm = new Kvm(jetstream(await this.nats.connected(), { timeout: API_TIMEOUT_MS }));
    for (let attempt = 1; ; attempt++) {
      try {
        const [networks, transportNodes, switches, hostPorts] = await Promise.all([
          kvm.create(KV_LOGICAL_NETWORKS, { history: 1 }),
          kvm.create(KV_TRANSPORT_NODES, { history: 1 }),
          kvm.create(KV_SWITCHES, { history: 1 }),
          kvm.create(KV_HOST_PORTS, { history: 1 }),
        ]);
        return { networks, transportNodes, switches, hostPorts };
      } catch (err) {
        if (this.closed) throw err;
        if (attempt === 1 || attempt % 30 === 0)
          this.logger.warn({ msg: 'desired-state buckets not available yet, retrying', error: String(err) });
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}
