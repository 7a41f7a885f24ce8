import type { OpaqueEntry, SwitchDesired } from '@vnet/contracts';
import type { KeyValueStore } from '../store/key-value-store.js';
import { encodePut } from '../store/store-record.js';
import type { ValueCodec } from '../store/store-state.js';

/** The opaque data of the switches a host runs (their own and their port groups'), by switch. */
export const OPAQUE_NS = 'opaque';
const SWITCH_KEY = 'switch:';

/**
 * A switch's entries as the compute manager sent them in its final state: the same array for every
 * member host of a revision, turned into JSON once per process, not once per host (see opaqueCodec).
 */
const encoded = new WeakMap<readonly OpaqueEntry[], string>();
const encode = (entries: readonly OpaqueEntry[]): string => {
  let json = encoded.get(entries);
  if (json === undefined) encoded.set(entries, (json = JSON.stringify(entries)));
  return json;
};

const sameEntries = (a: readonly OpaqueEntry[], b: readonly OpaqueEntry[]): boolean =>
  a === b || (a.length === b.length && encode(a) === encode(b));

/** Writes a switch's opaque entries with the JSON shared by every host that holds the same array. */
export function opaqueCodec(inner: ValueCodec): ValueCodec {
  return {
    encodePut: (ns, key, value) =>
      ns === OPAQUE_NS && Array.isArray(value) ? encodePut(ns, key, encode(value as OpaqueEntry[])) : inner.encodePut(ns, key, value),
    revive: (ns, key, value) => inner.revive(ns, key, value),
  };
}

/**
 * A host's copy of its switches' opaque data, kept with the switch config it applied (CONTRACT §6.7:
 * a restarted host serves it before hearing from any manager). Values stay the JSON text they came in.
 */
export class SwitchOpaqueStore {
  constructor(private readonly store: KeyValueStore) {}

  /** The entries `desired` carries, for a switch the host now runs at that revision; written only when they changed. */
  keep(desired: SwitchDesired): void {
    const entries = desired.opaque ?? [];
    const key = `${SWITCH_KEY}${desired.id}`;
    const before = this.store.get<OpaqueEntry[]>(OPAQUE_NS, key);
    if (entries.length === 0) {
      if (before) this.store.delete(OPAQUE_NS, key);
      return;
    }
    if (!before || !sameEntries(before, entries)) this.store.put(OPAQUE_NS, key, entries);
  }

  /** The switch no longer runs here. */
  drop(switchId: string): void {
    this.store.delete(OPAQUE_NS, `${SWITCH_KEY}${switchId}`);
  }

  entries(switchId: string): readonly OpaqueEntry[] {
    return this.store.get<OpaqueEntry[]>(OPAQUE_NS, `${SWITCH_KEY}${switchId}`) ?? [];
  }
}
