import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { type HostPortsDesired, KV_HOST_PORTS, KV_SWITCHES, type SwitchDesired } from '@vnet/contracts';
import { HOST_NATS, type HostNats } from '../common/host-nats.js';
import { DesiredStateBuckets, isMissingStream } from '../desired-state/desired-state.buckets.js';
import { KvFeed } from '../desired-state/kv-feed.js';
import { readAll } from '../desired-state/desired-state.reader.js';
import { SERVICE_CONFIG } from '@vnet/events';
import type { HostAgentConfig } from '../config/host-agent.config.js';

/** A host as the compute feeds see it. */
export interface ComputeReceiver {
  readonly id: string;
  receiveSwitch(desired: SwitchDesired): void;
  receiveSwitchRemoved(switchId: string): void;
  receivePorts(desired: HostPortsDesired): void;
}

/** What a host reads back when its link returns (the latest values, as the buckets hold them). */
export interface ComputeDesiredSource {
  readonly ready: Promise<void>;
  switches(): Iterable<SwitchDesired>;
  ports(hostId: string): HostPortsDesired | undefined;
}

const isSwitch = (v: unknown): v is SwitchDesired =>
  !!v &&
  typeof (v as SwitchDesired).id === 'string' &&
  typeof (v as SwitchDesired).revision === 'number' &&
  Array.isArray((v as SwitchDesired).hostIds) &&
  Array.isArray((v as SwitchDesired).portGroups);
const isPorts = (v: unknown): v is HostPortsDesired =>
  !!v &&
  typeof (v as HostPortsDesired).hostId === 'string' &&
  typeof (v as HostPortsDesired).revision === 'number' &&
  Array.isArray((v as HostPortsDesired).ports);

/**
 * The compute manager's desired state for this process: one watch of the switches bucket and one
 * of the host-ports bucket, whatever the number of hosts. Each value is parsed once; the same object
 * goes to every member host (2,000 hosts of one switch share one parsed final state). The latest
 * values are kept, so that a host whose link returns reads them back without a round of reads.
 */
@Injectable()
export class ComputeFeeds implements ComputeDesiredSource, OnApplicationShutdown {
  private readonly logger = new Logger('ComputeDesiredState');
  private readonly latestSwitches = new Map<string, SwitchDesired>();
  private readonly latestPorts = new Map<string, HostPortsDesired>();
  private readonly feeds: KvFeed[] = [];
  private lookup: (hostId: string) => ComputeReceiver | undefined = () => undefined;
  private markReady!: () => void;
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));
  private started = false;

  /** HOST_ID: values are read through consumers filtered on their keys (see DesiredStateReader), not by get. */
  private readonly singleHost: boolean;

  constructor(
    private readonly buckets: DesiredStateBuckets,
    @Inject(HOST_NATS) private readonly nats: HostNats,
    @Inject(SERVICE_CONFIG) config: Pick<HostAgentConfig, 'HOST_ID'>,
  ) {
    this.singleHost = !!config.HOST_ID;
  }

  /**
   * Starts the watches (once), then reads the current values; `lookup` finds a local host, `portKeys`
   * are the host-ports keys to read (every key, or a single host's own: its credentials let it read no other).
   */
  start(lookup: (hostId: string) => ComputeReceiver | undefined, portKeys = '>'): void {
    if (this.started) return;
    this.started = true;
    this.lookup = lookup;
    void this.run(portKeys);
  }

  switches(): Iterable<SwitchDesired> {
    return this.latestSwitches.values();
  }

  ports(hostId: string): HostPortsDesired | undefined {
    return this.latestPorts.get(hostId);
  }

  onApplicationShutdown(): void {
    for (const f of this.feeds) f.stop();
  }

  private async run(portKeys: string): Promise<void> {
    const { switches, hostPorts, keys } = await this.buckets.get();
    const switchFeed = new KvFeed(
      async () => switches,
      '>',
      (e) => this.onSwitch(e),
      this.logger,
    ).start();
    const portsFeed = new KvFeed(
      async () => hostPorts,
      portKeys,
      (e) => this.onPorts(e),
      this.logger,
    ).start();
    this.feeds.push(switchFeed, portsFeed);
    void (async () => {
      for await (const status of (await this.nats.connected()).status())
        if (status.type === 'reconnect') for (const f of this.feeds) f.restart();
    })();
    await Promise.all([switchFeed.ready, portsFeed.ready]);
    // Changes from now on are delivered; what was there before is read once (a change delivered by
    // both is applied once: hosts compare revisions).
    for (;;) {
      try {
        await this.readAll(
          switches,
          (f) => keys(KV_SWITCHES, f),
          (v) => isSwitch(v) && this.keepSwitch(v),
        );
        await this.readAll(
          hostPorts,
          (f) => keys(KV_HOST_PORTS, f),
          (v) => isPorts(v) && this.keepPorts(v),
          (key) => this.lookup(key) !== undefined,
          portKeys,
        );
        break;
      } catch (err) {
        this.logger.warn({ msg: 'compute desired state not read, retrying', error: String((err as Error).message) });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    this.markReady();
  }

  private async readAll(
    kv: KV,
    keysOf: (filter: string) => Promise<string[]>,
    keep: (value: unknown) => unknown,
    wanted: (key: string) => boolean = () => true,
    filter = '>',
  ): Promise<void> {
    if (this.singleHost) {
      for (const [key, e] of await readAll(kv, filter))
        if (wanted(key) && e.operation === 'PUT' && e.value.length) keep(safeJson(e));
      return;
    }
    let keys: string[];
    try {
      keys = (await keysOf(filter)).filter(wanted);
    } catch (err) {
      if (isMissingStream(err)) return; // the compute manager has not created the bucket: nothing in it
      throw err;
    }
    for (let i = 0; i < keys.length; i += 64) {
      const entries = await Promise.all(keys.slice(i, i + 64).map((k) => kv.get(k)));
      for (const e of entries) if (e && e.operation === 'PUT' && e.value.length) keep(safeJson(e));
    }
  }

  private onSwitch(entry: KvWatchEntry): void {
    if (entry.operation !== 'PUT') {
      this.latestSwitches.delete(entry.key);
      return;
    }
    const value = safeJson(entry);
    if (isSwitch(value)) this.keepSwitch(value);
    else this.logger.warn({ msg: 'invalid switch desired state rejected', key: entry.key });
  }

  private onPorts(entry: KvWatchEntry): void {
    if (entry.operation !== 'PUT' || !this.lookup(entry.key)) return;
    const value = safeJson(entry);
    if (isPorts(value)) this.keepPorts(value);
    else this.logger.warn({ msg: 'invalid host ports desired state rejected', key: entry.key });
  }

  private keepSwitch(desired: SwitchDesired): void {
    const known = this.latestSwitches.get(desired.id);
    if (known && known.revision >= desired.revision) return;
    const before = known?.hostIds ?? [];
    this.latestSwitches.set(desired.id, desired);
    const members = new Set(desired.hostIds);
    for (const hostId of desired.hostIds) this.lookup(hostId)?.receiveSwitch(desired);
    for (const hostId of before) if (!members.has(hostId)) this.lookup(hostId)?.receiveSwitchRemoved(desired.id);
  }

  private keepPorts(desired: HostPortsDesired): void {
    const known = this.latestPorts.get(desired.hostId);
    if (known && known.revision >= desired.revision) return;
    this.latestPorts.set(desired.hostId, desired);
    this.lookup(desired.hostId)?.receivePorts(desired);
  }
}

function safeJson(entry: { json<T>(): T }): unknown {
  try {
    return entry.json();
  } catch {
    return null;
  }
}
