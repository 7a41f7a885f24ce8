import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { JetStreamApiCodes, JetStreamApiError, jetstream } from '@nats-io/jetstream';
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

/**
 * Per JetStream API call. Short: a read lost in a NATS restart (sent as the server came back, before
 * JetStream was ready) fails soon and is tried again, instead of holding a host's sync for long.
 */
const API_TIMEOUT_MS = 2000;

/**
 * The desired-state buckets, bound without a round trip: each belongs to the manager that writes it
 * and creates it (a host may create none, CONTRACT §7). Until its owner has created one, reading it
 * fails with a missing stream (see `isMissingStream`), which readers take as an empty bucket.
 */
@Injectable()
export class DesiredStateBuckets implements OnApplicationShutdown {
  private opened: Promise<Buckets> | null = null;

  constructor(@Inject(HOST_NATS) private readonly nats: HostNats) {}

  get(): Promise<Buckets> {
    this.opened ??= this.open();
    return this.opened;
  }

  onApplicationShutdown(): void {
    this.opened = null;
  }

  private async open(): Promise<Buckets> {
    const kvm = new Kvm(jetstream(await this.nats.connected(), { timeout: API_TIMEOUT_MS }));
    const [networks, transportNodes, switches, hostPorts] = await Promise.all([
      kvm.open(KV_LOGICAL_NETWORKS),
      kvm.open(KV_TRANSPORT_NODES),
      kvm.open(KV_SWITCHES),
      kvm.open(KV_HOST_PORTS),
    ]);
    return { networks, transportNodes, switches, hostPorts };
  }
}

/** True for the error of reading a bucket whose owner has not created it yet. */
export function isMissingStream(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}
