/**
 * The opaque pass-through channel (CONTRACT §5, §6.7): extensions registered on the compute manager
 * keep data on switches, port groups, ports and hosts under `namespace/key`; modules on hosts read it
 * and send data of their own up. Nobody between the writer and the reader interprets a value: it
 * travels as its JSON text (`valueJson`), unchanged byte for byte (number spelling, key order,
 * unicode escapes and all), and is spliced back into answers as that text.
 */

/** The entities that carry opaque data. A `port` is a DCN NIC's `portId`; a `host` is a host id. */
export const OPAQUE_ENTITY_TYPES = ['switch', 'port-group', 'port', 'host'] as const;
export type OpaqueEntityType = (typeof OPAQUE_ENTITY_TYPES)[number];

export interface OpaqueEntityRef {
  type: OpaqueEntityType;
  id: string;
}

/** Namespaces (and extension keys) are dotted names of at least two labels, at most 128 characters. */
export const OPAQUE_NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;
export const OPAQUE_NAMESPACE_MAX_LENGTH = 128;
/** Keys within a namespace: letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 128 characters. */
export const OPAQUE_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A value's JSON text may hold this many bytes (UTF-8) and no more: 64 KiB. */
export const OPAQUE_VALUE_MAX_BYTES = 65536;

export const isOpaqueNamespace = (s: string): boolean =>
  s.length <= OPAQUE_NAMESPACE_MAX_LENGTH && OPAQUE_NAMESPACE_PATTERN.test(s);
export const isOpaqueKey = (s: string): boolean => OPAQUE_KEY_PATTERN.test(s);

/**
 * One entry of desired state: `valueJson` is the value's JSON text exactly as the extension sent it.
 * A host parses it (if at all) only where the module that owns `namespace` reads it.
 */
export interface OpaqueEntry {
  entity: OpaqueEntityRef;
  namespace: string;
  key: string;
  valueJson: string;
}

/** The data one entity sets itself, as one level of an inheritance chain. */
export interface OpaqueLevel {
  entity: OpaqueEntityRef;
  entries: ReadonlyArray<{ namespace: string; key: string; valueJson: string }>;
}

/** One entry of an entity's effective view; `inheritedFrom` is absent for the entity's own entries. */
export interface EffectiveOpaqueEntry {
  namespace: string;
  key: string;
  valueJson: string;
  inheritedFrom?: OpaqueEntityRef;
}

/**
 * The effective opaque data of an entity: `levels` run from the most general to the entity itself
 * (the last level), e.g. `[switch, port group, port]` for a port of a port group, `[switch, port
 * group]` for a port group, `[switch]`, `[host]`, or `[port]` alone for a logical network's port
 * (which inherits nothing). Per `namespace/key` the most specific level that sets it wins, so an
 * entity's own entry overrides an inherited one, and once it is deleted the inherited one shows
 * again. Sorted by namespace, then key. Pure: the compute manager's GET and the host agent compute
 * the same view with it.
 */
export function effectiveOpaque(levels: readonly OpaqueLevel[]): EffectiveOpaqueEntry[] {
  const own = levels.length - 1;
  const byKey = new Map<string, EffectiveOpaqueEntry>();
  levels.forEach((level, index) => {
    for (const { namespace, key, valueJson } of level.entries) {
      const entry: EffectiveOpaqueEntry = { namespace, key, valueJson };
      if (index !== own) entry.inheritedFrom = { type: level.entity.type, id: level.entity.id };
      byKey.set(`${namespace}/${key}`, entry);
    }
  });
  return [...byKey.values()].sort((a, b) => compare(a.namespace, b.namespace) || compare(a.key, b.key));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
