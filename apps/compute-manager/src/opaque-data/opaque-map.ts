import type { OpaqueEntityRef, OpaqueEntry } from '@vnet/contracts';

/**
 * The opaque entries an aggregate owns (a switch: its own and its port groups'; a DCN: its ports'; a
 * host: its own), keyed `<type>/<id>/<namespace>/<key>` (none of them holds a `/`) → the value's raw
 * JSON text. Pure.
 */
export type OpaqueMap = Record<string, string>;

/** What every opaque put or delete event carries, whatever stream it is in. */
export interface OpaqueChangeData {
  entity: OpaqueEntityRef;
  namespace: string;
  key: string;
  /** The extension that wrote it (the owner of `namespace`). */
  extensionKey: string;
}
export type OpaquePutData = OpaqueChangeData & { valueJson: string };

/** A put or delete an aggregate's decider is asked for. */
export type OpaqueCommand = ({ op: 'put'; valueJson: string } | { op: 'delete' }) & OpaqueChangeData;

export const opaqueMapKey = (e: { entity: OpaqueEntityRef; namespace: string; key: string }): string =>
  `${e.entity.type}/${e.entity.id}/${e.namespace}/${e.key}`;

/** Whether the command changes the map: a put of the value already there, or a delete of nothing, does not. */
export function opaqueChanges(map: OpaqueMap | undefined, command: OpaqueCommand): boolean {
  const current = map?.[opaqueMapKey(command)];
  return command.op === 'put' ? current !== command.valueJson : current !== undefined;
}

/** The event data of a command that changes something. */
export function opaqueEventData(command: OpaqueCommand): OpaqueChangeData | OpaquePutData {
  const { op: _op, ...data } = command;
  return data;
}

export function withOpaquePut(map: OpaqueMap | undefined, data: OpaquePutData): OpaqueMap {
  return { ...(map ?? {}), [opaqueMapKey(data)]: data.valueJson };
}

export function withOpaqueDeleted(map: OpaqueMap | undefined, data: OpaqueChangeData): OpaqueMap {
  const { [opaqueMapKey(data)]: _gone, ...rest } = map ?? {};
  return rest;
}

/** The map's entries, sorted by entity type, entity id, namespace, key. */
export function opaqueEntries(map: OpaqueMap | undefined): OpaqueEntry[] {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => {
      const [type, id, namespace, key] = k.split('/');
      return { entity: { type, id } as OpaqueEntityRef, namespace, key, valueJson: map![k] };
    });
}

export function opaqueMapOf(entries: readonly OpaqueEntry[]): OpaqueMap {
  const map: OpaqueMap = {};
  for (const e of entries) map[opaqueMapKey(e)] = e.valueJson;
  return map;
}

/** The entries whose entity `keep` accepts. */
export function filterOpaque(map: OpaqueMap | undefined, keep: (entity: OpaqueEntityRef) => boolean): OpaqueMap {
  return opaqueMapOf(opaqueEntries(map).filter((e) => keep(e.entity)));
}
