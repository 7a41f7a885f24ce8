import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { KV_LOGICAL_NETWORKS, KV_TRANSPORT_NODES } from '@vnet/contracts';
import { ensureReplicas, NATS_CONNECTION, SERVICE_CONFIG } from '@vnet/events';
import type { NetworkManagerConfig } from '../config/network-manager.config.js';

/**
 * The buckets hosts watch. History 1: a host needs the final state, not how it came to be.
 * NATS_REPLICAS replicas; existing buckets are scaled to it.
 */
@Injectable()
export class DesiredStateBuckets implements OnModuleInit {
  networks!: KV;
  transportNodes!: KV;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: NetworkManagerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const replicas = this.config.NATS_REPLICAS;
    const kvm = new Kvm(this.nc);
    [this.networks, this.transportNodes] = await Promise.all([
      kvm.create(KV_LOGICAL_NETWORKS, { history: 1, replicas }),
      kvm.create(KV_TRANSPORT_NODES, { history: 1, replicas }),
    ]);
    const jsm = await jetstreamManager(this.nc);
    for (const bucket of [KV_LOGICAL_NETWORKS, KV_TRANSPORT_NODES]) await ensureReplicas(jsm, `KV_${bucket}`, replicas);
  }
}
