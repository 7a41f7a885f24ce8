import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { KV_HOST_PORTS, KV_SWITCHES } from '@vnet/contracts';
import { NATS_CONNECTION } from '@vnet/events';

/** The buckets hosts watch for the compute side. History 1: hosts need the final state only. */
@Injectable()
export class ComputeDesiredStateBuckets implements OnModuleInit {
  switches!: KV;
  hostPorts!: KV;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async onModuleInit(): Promise<void> {
    await this.ensure();
  }

  /** Creates the buckets (or opens them, when they exist). */
  async ensure(): Promise<void> {
    const kvm = new Kvm(this.nc);
    [this.switches, this.hostPorts] = await Promise.all([
      kvm.create(KV_SWITCHES, { history: 1 }),
      kvm.create(KV_HOST_PORTS, { history: 1 }),
    ]);
  }

  /** The buckets' names as JetStream streams (a bucket is the stream `KV_<bucket>`). */
  static readonly STREAMS = [`KV_${KV_SWITCHES}`, `KV_${KV_HOST_PORTS}`];
}
