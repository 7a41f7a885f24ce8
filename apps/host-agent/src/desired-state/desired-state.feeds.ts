import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { KvWatchEntry } from '@nats-io/kv';
import { zoneNetworksFilter } from '@vnet/contracts';
import { HOST_NATS, type HostNats } from '../common/host-nats.js';
import { ConstructCatalog } from '../network-switch/construct-catalog.js';
import {
  type DesiredUpdate,
  type KvOperation,
  parseNetworkEntry,
  parseTransportNodeEntry,
} from '../network-switch/desired-update.js';
import { DesiredStateBuckets } from './desired-state.buckets.js';
import { KvFeed } from './kv-feed.js';

/** A host as the desired-state feeds see it: everything it receives goes through `receive` (and its link). */
export interface DesiredStateReceiver {
  readonly id: string;
  receive(update: DesiredUpdate): void;
}

/** Joining and leaving a zone's feed. */
export interface ZoneFeeds {
  /** Resolves once the zone's changes are delivered to the host. */
  join(zoneId: string, host: DesiredStateReceiver): Promise<void>;
  leave(zoneId: string, host: DesiredStateReceiver): void;
}

interface ZoneFeed {
  feed: KvFeed;
  hosts: Set<DesiredStateReceiver>;
  /** Parsed entries not yet handed to the hosts. */
  queue: DesiredUpdate[];
}

const JOIN_TIMEOUT_MS = 10000;

/**
 * The process's watches of the desired state: one of the transport-nodes bucket for all hosts, and
 * one per zone shared by every local host of that zone (started with the first, stopped with the
 * last). Each entry is parsed once and the same object handed to every host concerned.
 */
@Injectable()
export class DesiredStateFeeds implements ZoneFeeds, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DesiredState');
  private readonly zones = new Map<string, ZoneFeed>();
  private transportNodes: KvFeed | null = null;

  constructor(
    private readonly buckets: DesiredStateBuckets,
    @Inject(ConstructCatalog) private readonly catalog: ConstructCatalog,
    @Inject(HOST_NATS) private readonly nats: HostNats,
  ) {}

  onModuleInit(): void {
    void (async () => {
      for await (const status of (await this.nats.connected()).status()) {
        if (status.type !== 'reconnect') continue;
        this.transportNodes?.restart();
        for (const zone of this.zones.values()) zone.feed.restart();
      }
    })();
  }

  /**
   * Watches the transport-node keys under `keys` (every key, or a single host's own: its credentials
   * let it read no other); `lookup` finds the local host an entry is for. Once per process.
   */
  watchTransportNodes(lookup: (hostId: string) => DesiredStateReceiver | undefined, keys = '>'): void {
    this.transportNodes ??= new KvFeed(
      async () => (await this.buckets.get()).transportNodes,
      keys,
      (entry) => {
        const host = lookup(entry.key);
        if (!host) return;
        const update = this.parse(entry, () =>
          parseTransportNodeEntry(entry.key, entry.operation as KvOperation, () => entry.json()),
        );
        if (update) host.receive(update);
      },
      this.logger,
    ).start();
  }

  /** Resolves once transport-node changes are delivered (rejects after a while, to be asked again). */
  transportNodesReady(): Promise<void> {
    if (!this.transportNodes) return Promise.reject(new Error('transport nodes are not watched'));
    return withTimeout(this.transportNodes.ready, JOIN_TIMEOUT_MS, 'watch of transport nodes');
  }

  async join(zoneId: string, host: DesiredStateReceiver): Promise<void> {
    let zone = this.zones.get(zoneId);
    if (!zone) {
      const created: ZoneFeed = { feed: null as unknown as KvFeed, hosts: new Set(), queue: [] };
      created.feed = new KvFeed(
        async () => (await this.buckets.get()).networks,
        zoneNetworksFilter(zoneId),
        (entry) => this.deliverNetwork(entry, created),
        this.logger,
      ).start();
      zone = created;
      this.zones.set(zoneId, zone);
    }
    zone.hosts.add(host);
    await withTimeout(zone.feed.ready, JOIN_TIMEOUT_MS, `watch of zone ${zoneId}`);
  }

  leave(zoneId: string, host: DesiredStateReceiver): void {
    const zone = this.zones.get(zoneId);
    if (!zone?.hosts.delete(host) || zone.hosts.size > 0) return;
    zone.feed.stop();
    this.zones.delete(zoneId);
  }

  get watchedZones(): number {
    return this.zones.size;
  }

  onApplicationShutdown(): void {
    this.transportNodes?.stop();
    for (const zone of this.zones.values()) zone.feed.stop();
    this.zones.clear();
  }

  private deliverNetwork(entry: KvWatchEntry, zone: ZoneFeed): void {
    if (zone.hosts.size === 0) return;
    const update = this.parse(entry, () => parseNetworkEntry(entry.key, entry.operation as KvOperation, () => entry.json()));
    if (!update) return;
    const shared: DesiredUpdate =
      update.kind === 'network' ? { ...update, construct: this.catalog.intern(update.construct) } : update;
    if (zone.queue.push(shared) === 1) setImmediate(() => this.dispatch(zone));
  }

  /**
   * Hands the entries that arrived together to each host in turn, host by host rather than entry by
   * entry: a host's maps are then touched in one go, not once per entry across thousands of hosts
   * (the difference between memory that stays in cache and memory that does not). Order per host is kept.
   */
  private dispatch(zone: ZoneFeed): void {
    const updates = zone.queue;
    zone.queue = [];
    for (const host of zone.hosts) for (const update of updates) host.receive(update);
  }

  private parse(entry: KvWatchEntry, parse: () => DesiredUpdate): DesiredUpdate | null {
    try {
      return parse();
    } catch (err) {
      this.logger.warn({
        msg: 'invalid desired-state value rejected',
        key: entry.key,
        revision: entry.revision,
        error: String((err as Error).message),
      });
      return null;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} not ready in ${ms} ms`)), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
