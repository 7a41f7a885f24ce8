import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { KV_LOGICAL_NETWORKS, KV_TRANSPORT_NODES } from '@vnet/contracts';
import { NATS_CONNECTION } from '@vnet/events';

/** The buckets hosts watch. History 1: a host needs the final state, not how it came to be. */
@Injectable()
export class DesiredStateBuckets implements OnModuleInit {
  networks!: KV;
  transportNodes!: KV;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async onModuleInit(): Promise<void> {
    const kvm = new Kvm(this.nc);
    [this.networks, this.transportNodes] = await Promise.all([
      kvm.create(KV_LOGICAL_NETWORKS, { history: 1 }),
      kvm.create(KV_TRANSPORT_NODES, { history: 1 }),
    ]);
  }
}
