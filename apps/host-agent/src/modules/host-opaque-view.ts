import {
  type DcnPortDesired,
  effectiveOpaque,
  type OpaqueEntityRef,
  type OpaqueEntry,
  type OpaqueLevel,
} from '@vnet/contracts';

/** One entry a module reads: its value still the JSON text it came in (`valueJson`). */
export interface ModuleOpaqueEntry {
  entity: OpaqueEntityRef;
  key: string;
  valueJson: string;
  inheritedFrom?: OpaqueEntityRef;
}

/** What a host holds that carries opaque data: its switches (with their entries), its ports, itself. */
export interface HostOpaqueSources {
  hostId: string;
  /** The switches the host runs, each with its port groups' ids and its final state's entries. */
  switches: ReadonlyArray<{ id: string; portGroupIds: readonly string[]; entries: readonly OpaqueEntry[] }>;
  /** The host's DCN ports, as its ports desired state lists them. */
  ports: readonly DcnPortDesired[];
  /** The entries of its ports desired state (its ports' and its own). */
  entries: readonly OpaqueEntry[];
}

/**
 * The effective data of one namespace on a host, one entry per entity and key: each switch
 * (`[switch]`), each of its port groups (`[switch, port group]`), each DCN port on a port group
 * (`[switch, port group, port]`, or `[port]` when that switch does not run here), each port on a
 * logical network (`[port]`: it inherits nothing) and the host itself (`[host]`). Entities in that
 * order; per entity by key. Pure.
 */
export function hostOpaqueView(sources: HostOpaqueSources, namespace: string): ModuleOpaqueEntry[] {
  const own = new EntriesByEntity(namespace);
  for (const sw of sources.switches) own.add(sw.entries);
  own.add(sources.entries);
  const out: ModuleOpaqueEntry[] = [];
  const emit = (levels: OpaqueLevel[]): void => {
    const entity = levels[levels.length - 1].entity;
    for (const e of effectiveOpaque(levels)) {
      const entry: ModuleOpaqueEntry = { entity, key: e.key, valueJson: e.valueJson };
      if (e.inheritedFrom) entry.inheritedFrom = e.inheritedFrom;
      out.push(entry);
    }
  };
  const groupLevels = new Map<string, OpaqueLevel[]>();
  for (const sw of sources.switches) {
    const switchLevel = own.level('switch', sw.id);
    emit([switchLevel]);
    for (const pgId of sw.portGroupIds) {
      const levels = [switchLevel, own.level('port-group', pgId)];
      groupLevels.set(`${sw.id}/${pgId}`, levels);
      emit(levels);
    }
  }
  for (const port of sources.ports) {
    const portLevel = own.level('port', port.id);
    const n = port.network;
    const above = n.kind === 'port-group' ? (groupLevels.get(`${n.switchId}/${n.portGroupId}`) ?? []) : [];
    emit([...above, portLevel]);
  }
  emit([own.level('host', sources.hostId)]);
  return out;
}

/** The entries of one namespace, by the entity that sets them. */
class EntriesByEntity {
  private readonly byEntity = new Map<string, OpaqueEntry[]>();

  constructor(private readonly namespace: string) {}

  add(entries: readonly OpaqueEntry[]): void {
    for (const e of entries) {
      if (e.namespace !== this.namespace) continue;
      const id = `${e.entity.type}/${e.entity.id}`;
      const list = this.byEntity.get(id);
      if (list) list.push(e);
      else this.byEntity.set(id, [e]);
    }
  }

  level(type: OpaqueEntityRef['type'], id: string): OpaqueLevel {
    return { entity: { type, id }, entries: this.byEntity.get(`${type}/${id}`) ?? [] };
  }
}
