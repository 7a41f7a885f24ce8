import type { LogicalNetworkConstruct } from '@vnet/contracts';

export interface ConstructEncodings {
  json: string;
  /** The JSON as UTF-8. */
  bytes?: Buffer;
  /** `{"id":…,"revision":…}`, as in a report's `held`. */
  held?: Buffer;
  /** The host-store put record of the construct. */
  storeRecord?: Buffer;
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

  get size(): number {
    return this.byId.size;
  }
}
