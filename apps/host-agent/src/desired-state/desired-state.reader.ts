import { Inject, Injectable, Logger } from '@nestjs/common';
import type { KV, KvEntry } from '@nats-io/kv';
import { type LogicalNetworkConstruct, zoneNetworksFilter } from '@vnet/contracts';
import { ConstructCatalog } from '../network-switch/construct-catalog.js';
import { parseNetworkEntry, parseTransportNodeEntry, type KvOperation } from '../network-switch/desired-update.js';
import { Batcher } from './batcher.js';
import { SERVICE_CONFIG } from '@vnet/events';
import type { HostAgentConfig } from '../config/host-agent.config.js';
import { DesiredStateBuckets, isMissingStream } from './desired-state.buckets.js';

/** Fresh reads of the desired state, for a host that (re)joins: its zones, and a zone's networks. */
export interface DesiredStateSource {
  /** The host's transport zones ([] when the network manager has none for it). */
  transportZones(hostId: string): Promise<string[]>;
  /** Every network of the zone, as the bucket holds it now. */
  zoneNetworks(zoneId: string): Promise<LogicalNetworkConstruct[]>;
}

/** Above this many hosts in one batch, one scan of the bucket is cheaper than a get per host. */
const SCAN_ABOVE = 32;
const READ_TIMEOUT_MS = 10000;

/**
 * Reads the current values of the buckets (not a cache): transport-node keys by `get`, or by one scan
 * when many hosts ask at once; a zone by reading every key under `<zoneId>.`. Reads asked for
 * together are batched, so thousands of hosts re-reading after a restart cost a few reads.
 */
@Injectable()
export class DesiredStateReader implements DesiredStateSource {
  private readonly logger = new Logger('DesiredState');
  private readonly nodes = new Batcher<string, string[]>((hostIds) => this.readTransportNodes(hostIds));
  private readonly zones = new Batcher<string, LogicalNetworkConstruct[]>((zoneIds) => this.readZones(zoneIds));

  /**
   * HOST_ID: a single host's credentials allow reading a key only through a consumer filtered on it
   * (a get names its key in the request's body, which no permission can check), so it reads so.
   */
  private readonly singleHost: string | undefined;

  constructor(
    private readonly buckets: DesiredStateBuckets,
    @Inject(ConstructCatalog) private readonly catalog: ConstructCatalog,
    @Inject(SERVICE_CONFIG) config: Pick<HostAgentConfig, 'HOST_ID'>,
  ) {
    this.singleHost = config.HOST_ID;
  }

  transportZones(hostId: string): Promise<string[]> {
    return this.nodes.get(hostId);
  }

  zoneNetworks(zoneId: string): Promise<LogicalNetworkConstruct[]> {
    return this.zones.get(zoneId);
  }

  private async readTransportNodes(hostIds: string[]): Promise<Map<string, string[]>> {
    const { transportNodes } = await this.buckets.get();
    const entries = this.singleHost
      ? await readAll(transportNodes, this.singleHost)
      : hostIds.length > SCAN_ABOVE
        ? await readAll(transportNodes, '>')
        : new Map(
            (await Promise.all(hostIds.map(async (id) => [id, await transportNodes.get(id).catch(noneIfMissing)] as const))).filter(
              ([, e]) => e !== null,
            ) as Array<[string, KvEntry]>,
          );
    const zones = new Map<string, string[]>();
    for (const hostId of hostIds) {
      const entry = entries.get(hostId);
      zones.set(hostId, entry ? this.zonesOf(hostId, entry) : []);
    }
    return zones;
  }

  private zonesOf(hostId: string, entry: KvEntry): string[] {
    try {
      const update = parseTransportNodeEntry(hostId, entry.operation as KvOperation, () => entry.json());
      return update.kind === 'zones' ? update.zoneIds : [];
    } catch (err) {
      // An invalid value is as good as none: the host keeps no zone it cannot read.
      this.logger.warn({ msg: 'invalid transport node value ignored', hostId, error: String((err as Error).message) });
      return [];
    }
  }

  private async readZones(zoneIds: string[]): Promise<Map<string, LogicalNetworkConstruct[]>> {
    const { networks } = await this.buckets.get();
    const read = await Promise.all(zoneIds.map(async (zoneId) => [zoneId, await this.readZone(networks, zoneId)] as const));
    return new Map(read);
  }

  private async readZone(networks: KV, zoneId: string): Promise<LogicalNetworkConstruct[]> {
    const constructs: LogicalNetworkConstruct[] = [];
    for (const entry of (await readAll(networks, zoneNetworksFilter(zoneId))).values()) {
      if (entry.operation !== 'PUT') continue;
      try {
        const update = parseNetworkEntry(entry.key, 'PUT', () => entry.json());
        if (update.kind === 'network') constructs.push(this.catalog.intern(update.construct));
      } catch (err) {
        this.logger.warn({ msg: 'invalid logical network value ignored', key: entry.key, error: String((err as Error).message) });
      }
    }
    return constructs;
  }
}

/** The latest entry of every key matching `filter` (deleted ones included, marked so), then stops. */
export async function readAll(kv: KV, filter: string): Promise<Map<string, KvEntry>> {
  const latest = new Map<string, KvEntry>();
  let iter;
  try {
    iter = await kv.history({ key: filter });
  } catch (err) {
    if (isMissingStream(err)) return latest; // its owner has not created the bucket: nothing in it
    throw err;
  }
  const timer = setTimeout(() => iter.stop(new Error(`reading ${filter} timed out`)), READ_TIMEOUT_MS);
  try {
    for await (const entry of iter) {
      const known = latest.get(entry.key);
      if (!known || known.revision < entry.revision) latest.set(entry.key, entry);
    }
  } finally {
    clearTimeout(timer);
  }
  return latest;
}

function noneIfMissing(err: unknown): null {
  if (isMissingStream(err)) return null;
  throw err;
}
