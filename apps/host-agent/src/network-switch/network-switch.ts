import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { JournalWriter } from '../audit/journal-entry.js';
import type { KeyValueStore } from '../store/key-value-store.js';
import type { ConstructCatalog } from './construct-catalog.js';

/** The store namespace of the constructs a host holds, keyed by network id. */
export const CONSTRUCTS_NS = 'constructs';

export type SwitchChange = { type: 'upserted'; construct: LogicalNetworkConstruct } | { type: 'removed'; id: string };

export interface ZonesChange {
  added: string[];
  removed: string[];
  changes: SwitchChange[];
}

/**
 * The network manager's forwarding element on a host: the read-only constructs of every network of
 * the host's transport zones. A construct is taken only when its revision is newer than the one
 * held, and only for a zone the host is in; leaving a zone drops its constructs. No I/O: changes go
 * to the host's store, whose durability the caller waits for before reporting them, each with its
 * entry in the host's journal.
 */
export class NetworkSwitch {
  private zoneIds = new Set<string>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly catalog: ConstructCatalog,
    private readonly journal: JournalWriter,
  ) {}

  get zones(): string[] {
    return [...this.zoneIds];
  }

  inZone(zoneId: string): boolean {
    return this.zoneIds.has(zoneId);
  }

  /** Oldest first. */
  constructs(): LogicalNetworkConstruct[] {
    return [...this.store.values<LogicalNetworkConstruct>(CONSTRUCTS_NS)];
  }

  get(id: string): LogicalNetworkConstruct | undefined {
    return this.store.get<LogicalNetworkConstruct>(CONSTRUCTS_NS, id);
  }

  get count(): number {
    return this.store.size(CONSTRUCTS_NS);
  }

  /** What is on disk: the only thing a host may claim to hold. */
  durableConstructs(): LogicalNetworkConstruct[] {
    return this.store.durableEntries<LogicalNetworkConstruct>(CONSTRUCTS_NS).map(([, c]) => c);
  }

  /** The host's zones are now exactly these: constructs of any other zone go. */
  setZones(zoneIds: readonly string[]): ZonesChange {
    const next = new Set(zoneIds);
    const added = [...next].filter((z) => !this.zoneIds.has(z));
    const removed = [...this.zoneIds].filter((z) => !next.has(z));
    this.zoneIds = next;
    const changes: SwitchChange[] = [];
    // By the constructs themselves, not the zones known before: after a restart the zones are not known yet.
    for (const c of this.constructs()) {
      if (!next.has(c.transportZoneId)) changes.push(this.drop(c.id));
    }
    return { added, removed, changes };
  }

  upsert(construct: LogicalNetworkConstruct): SwitchChange | null {
    if (!this.zoneIds.has(construct.transportZoneId)) return null;
    const held = this.get(construct.id);
    if (held && held.revision >= construct.revision) return null;
    const shared = this.catalog.intern(construct);
    this.store.put(CONSTRUCTS_NS, shared.id, shared);
    this.journal.append({ type: 'ConstructApplied', data: this.catalog.appliedData(shared) });
    return { type: 'upserted', construct: shared };
  }

  remove(zoneId: string, networkId: string): SwitchChange | null {
    const held = this.get(networkId);
    if (!held || held.transportZoneId !== zoneId) return null;
    return this.drop(networkId);
  }

  /** The zone's networks are exactly these (a fresh read of the desired state): newer ones taken, missing ones dropped. */
  replaceZone(zoneId: string, constructs: readonly LogicalNetworkConstruct[]): SwitchChange[] {
    if (!this.zoneIds.has(zoneId)) return [];
    const wanted = new Set<string>();
    const changes: SwitchChange[] = [];
    for (const c of constructs) {
      if (c.transportZoneId !== zoneId) continue;
      wanted.add(c.id);
      const change = this.upsert(c);
      if (change) changes.push(change);
    }
    for (const c of this.constructs()) {
      if (c.transportZoneId === zoneId && !wanted.has(c.id)) changes.push(this.drop(c.id));
    }
    return changes;
  }

  private drop(id: string): SwitchChange {
    const held = this.get(id);
    this.store.delete(CONSTRUCTS_NS, id);
    this.journal.append({ type: 'ConstructRemoved', data: { networkId: id, revision: held?.revision ?? 0 } });
    return { type: 'removed', id };
  }
}
