import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { DesiredUpdate } from '../network-switch/desired-update.js';

/** The host side of a sync. */
export interface SyncTarget {
  readonly id: string;
  /** Resolves once changes of the host's transport-node key are delivered to it. */
  watchTransportNode(): Promise<void>;
  linkEpoch(): number;
  linkFlows(): boolean;
  zones(): string[];
  /** Sets the host's zones from a fresh read: drops other zones' constructs, leaves their feeds. */
  adoptZones(zoneIds: string[]): void;
  joinZone(zoneId: string): Promise<void>;
  replaceZone(zoneId: string, constructs: LogicalNetworkConstruct[]): void;
  apply(update: DesiredUpdate): void;
  /** A full sync finished: the host holds the latest desired state. */
  synced(): void;
  retryLater(run: () => void): void;
  onSyncError(err: unknown): void;
}

export interface SyncSource {
  transportZones(hostId: string): Promise<string[]>;
  zoneNetworks(zoneId: string): Promise<LogicalNetworkConstruct[]>;
}

/**
 * Brings a host to the current desired state by reading it, without losing what changes meanwhile:
 * while a read is under way every update the host receives is held back, then replayed on top of
 * what was read (updates are idempotent, and replayed in order the last one wins). A full sync reads
 * the host's zones then every zone; a zone sync (the host joined a zone) reads that zone. A sync
 * started on one side of a link cut never lands on the other.
 */
export class HostSync {
  private fullRequested = false;
  private readonly zonesRequested = new Set<string>();
  private running = false;
  private held: DesiredUpdate[] | null = null;
  private retryArmed = false;

  constructor(
    private readonly target: SyncTarget,
    private readonly source: SyncSource,
  ) {}

  get active(): boolean {
    return this.running;
  }

  requestFull(): void {
    this.fullRequested = true;
    this.kick();
  }

  requestZones(zoneIds: readonly string[]): void {
    for (const z of zoneIds) this.zonesRequested.add(z);
    this.kick();
  }

  /** Takes an update while a read is under way; false when the host should apply it now. */
  holdBack(update: DesiredUpdate): boolean {
    if (!this.held) return false;
    this.held.push(update);
    return true;
  }

  /** The link cut: nothing requested or held survives it. */
  cancel(): void {
    this.fullRequested = false;
    this.zonesRequested.clear();
    this.held = null;
  }

  private kick(): void {
    if (!this.running && !this.retryArmed) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.fullRequested || this.zonesRequested.size > 0) {
        if (!this.target.linkFlows()) {
          this.cancel();
          return;
        }
        if (!(await this.once())) return;
      }
    } finally {
      this.running = false;
      this.held = null;
    }
  }

  /** One read and apply; false when it failed and a retry is scheduled. */
  private async once(): Promise<boolean> {
    const t = this.target;
    const epoch = t.linkEpoch();
    const full = this.fullRequested;
    let zones = full ? [] : [...this.zonesRequested];
    this.fullRequested = false;
    this.zonesRequested.clear();
    // Updates from here on are replayed after the read: the read starts after they may have been sent.
    this.held = [];
    try {
      if (full) {
        await t.watchTransportNode();
        const zoneIds = await this.source.transportZones(t.id);
        if (t.linkEpoch() !== epoch) return true;
        t.adoptZones(zoneIds);
        zones = t.zones();
      }
      zones = zones.filter((z) => t.zones().includes(z));
      await Promise.all(zones.map((z) => t.joinZone(z)));
      const read = await Promise.all(zones.map((z) => this.source.zoneNetworks(z)));
      if (t.linkEpoch() !== epoch) return true;
      zones.forEach((z, i) => t.replaceZone(z, read[i]));
      const held = this.held ?? [];
      this.held = null;
      for (const update of held) t.apply(update);
      if (full) t.synced();
      return true;
    } catch (err) {
      this.held = null;
      if (t.linkEpoch() !== epoch) return true;
      if (full) this.fullRequested = true;
      for (const z of zones) this.zonesRequested.add(z);
      t.onSyncError(err);
      this.retryArmed = true;
      t.retryLater(() => {
        this.retryArmed = false;
        this.kick();
      });
      return false;
    }
  }
}
