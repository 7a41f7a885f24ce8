import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { KV_HOST_PORTS, KV_SWITCHES } from '@vnet/contracts';
import { ensureReplicas, NATS_CONNECTION, SERVICE_CONFIG } from '@vnet/events';
import type { ComputeManagerConfig } from '../config/compute-manager.config.js';

/**
 * The buckets hosts watch for the compute side. History 1: hosts need the final state only.
 * NATS_REPLICAS replicas, also when a lost bucket is created again (BucketHealer).
 */
@Injectable()
export class ComputeDesiredStateBuckets implements OnModuleInit {
  switches!: KV;
  hostPorts!: KV;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: ComputeManagerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ensure();
  }

  /** Creates the buckets (or opens them, when they exist, scaled to NATS_REPLICAS). */
  async ensure(): Promise<void> {
    const replicas = this.config.NATS_REPLICAS;
    const kvm = new Kvm(this.nc);
    [this.switches, this.hostPorts] = await Promise.all([
      kvm.create(KV_SWITCHES, { history: 1, replicas }),
      kvm.create(KV_HOST_PORTS, { history: 1, replicas }),
    ]);
    const jsm = await jetstreamManager(this.nc);
    for (const stream of ComputeDesiredStateBuckets.STREAMS) await ensureReplicas(jsm, stream, replicas);
  }

  /** The buckets' names as JetStream streams (a bucket is the stream `KV_<bucket>`). */
  static readonly STREAMS = [`KV_${KV_SWITCHES}`, `KV_${KV_HOST_PORTS}`];
}
