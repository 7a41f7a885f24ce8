import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { KV_HOST_PORTS, KV_LOGICAL_NETWORKS, KV_SWITCHES, KV_TRANSPORT_NODES } from '@vnet/contracts';
import { HOST_NATS, type HostNats } from '../common/host-nats.js';

export interface Buckets {
  networks: KV;
  transportNodes: KV;
  /** The compute manager's: switches' final states, and each host's ports. */
  switches: KV;
  hostPorts: KV;
  /** The keys of a bucket matching a filter (see `bucketKeys`). */
  keys(bucket: string, filter: string): Promise<string[]>;
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
    const js = jetstream(await this.nats.connected(), { timeout: API_TIMEOUT_MS });
    const kvm = new Kvm(js);
    const [networks, transportNodes, switches, hostPorts, jsm] = await Promise.all([
      kvm.open(KV_LOGICAL_NETWORKS),
      kvm.open(KV_TRANSPORT_NODES),
      kvm.open(KV_SWITCHES),
      kvm.open(KV_HOST_PORTS),
      js.jetstreamManager(false),
    ]);
    return { networks, transportNodes, switches, hostPorts, keys: (bucket, filter) => bucketKeys(jsm, bucket, filter) };
  }
}

/**
 * The keys of `bucket` matching `filter`, from its stream's subjects: one request (paged by the
 * client), no consumer. Not `kv.keys()`: its listing ends only at a key with nothing pending after
 * it, or on its consumer's heartbeat, 30 s later; a key put all the time (a switch under a stream of
 * changes) held a restarted host agent's first read, and every host's resync behind it, that long.
 * Deleted and purged keys are listed too: reading their value says so.
 */
export async function bucketKeys(jsm: JetStreamManager, bucket: string, filter: string): Promise<string[]> {
  const prefix = `$KV.${bucket}.`;
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}${filter}` });
  return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
}

/** True for the error of reading a bucket whose owner has not created it yet. */
export function isMissingStream(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}
