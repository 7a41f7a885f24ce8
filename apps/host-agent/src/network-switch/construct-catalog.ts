import type { LogicalNetworkConstruct } from '@vnet/contracts';

export interface ConstructEncodings {
  json: string;
  /** The JSON as UTF-8. */
  bytes?: Buffer;
  /** `{"id":…,"revision":…}`, as in a report's `held`. */
  held?: Buffer;
  /** The host-store put record of the construct. */
  storeRecord?: Buffer;
  /** The data of a host journal's `ConstructApplied` entry for this construct, shared by every host. */
  applied?: ConstructAppliedData;
}

/** What a host's journal records of a construct it took. */
export interface ConstructAppliedData {
  networkId: string;
  revision: number;
  transportZoneId: string;
}

const sameConstruct = (a: LogicalNetworkConstruct, b: LogicalNetworkConstruct): boolean =>
  a.id === b.id &&
  a.revision === b.revision &&
  a.name === b.name &&
  a.vni === b.vni &&
  a.mtu === b.mtu &&
  a.transportZoneId === b.transportZoneId &&
  a.owner === b.owner;

/**
 * One object per construct revision for the whole process, and its JSON encoded once. Two thousand
 * hosts holding the same thousand networks then cost a thousand objects, not two million, and a
 * network is serialised once however many journals and reports carry it. Entries go when no host
 * holds the object any more (weak references).
 */
export class ConstructCatalog {
  private readonly byId = new Map<string, WeakRef<LogicalNetworkConstruct>>();
  private readonly encoded = new WeakMap<LogicalNetworkConstruct, ConstructEncodings>();
  private readonly appliedJson = new WeakMap<object, string>();
  private readonly cleanup = new FinalizationRegistry<string>((id) => {
    if (this.byId.get(id)?.deref() === undefined) this.byId.delete(id);
  });

  /** The shared object equal to `construct` (the given one, when it is the first or the newest). */
  intern(construct: LogicalNetworkConstruct): LogicalNetworkConstruct {
    const known = this.byId.get(construct.id)?.deref();
    if (known === construct) return known;
    if (known && sameConstruct(known, construct)) return known;
    if (!known || construct.revision >= known.revision) {
      this.byId.set(construct.id, new WeakRef(construct));
      this.cleanup.register(construct, construct.id);
    }
    return construct;
  }

  /** The construct's JSON, fields in the contract's order. */
  encode(construct: LogicalNetworkConstruct): string {
    return this.encodings(construct).json;
  }

  /**
   * The construct's encodings, made once: its JSON, and slots where the store and the reports keep
   * the bytes they derive from it (every host writes and reports the very same bytes).
   */
  encodings(construct: LogicalNetworkConstruct): ConstructEncodings {
    let encodings = this.encoded.get(construct);
    if (encodings === undefined) {
      const { id, name, vni, mtu, transportZoneId, revision, owner } = construct;
      encodings = { json: JSON.stringify({ id, name, vni, mtu, transportZoneId, revision, owner }) };
      this.encoded.set(construct, encodings);
    }
    return encodings;
  }

  /**
   * The journal data of taking `construct`: one object (and one JSON) for every host that takes
   * the same revision, where 2,000 hosts × 1,000 networks would otherwise keep two million.
   */
  appliedData(construct: LogicalNetworkConstruct): ConstructAppliedData {
    const encodings = this.encodings(construct);
    if (encodings.applied === undefined) {
      encodings.applied = { networkId: construct.id, revision: construct.revision, transportZoneId: construct.transportZoneId };
      this.appliedJson.set(encodings.applied, JSON.stringify(encodings.applied));
    }
    return encodings.applied;
  }

  /** The JSON of journal data made by `appliedData` (undefined for any other object). */
  encodedAppliedData(data: object): string | undefined {
    return this.appliedJson.get(data);
  }

  /**
   * The shared journal data equal to `data` when the catalog holds that very revision (a journal
   * read back from disk after the constructs were), else `data` itself.
   */
  reviveAppliedData(data: ConstructAppliedData): ConstructAppliedData {
    const known = this.byId.get(data.networkId)?.deref();
    if (known && known.revision === data.revision && known.transportZoneId === data.transportZoneId)
      return this.appliedData(known);
    return data;
  }

  get size(): number {
    return this.byId.size;
  }
}
