import type { OpaqueEntry } from '@vnet/contracts';
import { InvalidInputError } from '@vnet/events';
import { mapPortGroupIds } from './port-group-ids.js';
import { type SnapshotDocument, snapshotOpaqueEntries, type SnapshotPortGroup } from './snapshot-document.js';

export const RESTORE_MODES = ['same', 'new', 'existing'] as const;

/** Where a snapshot is restored: onto its own switch, a new switch, or another existing switch. */
export type RestoreTarget =
  { mode: 'same' } | { mode: 'new'; name: string; hostIds?: string[] } | { mode: 'existing'; switchId: string };

/** A target as the request gives it: each field checked for its type, not yet for its mode. */
export interface RestoreTargetInput {
  mode: (typeof RESTORE_MODES)[number];
  name?: string;
  hostIds?: string[];
  switchId?: string;
}

const FIELDS_OF: Record<RestoreTargetInput['mode'], Array<keyof RestoreTargetInput>> = {
  same: [],
  new: ['name', 'hostIds'],
  existing: ['switchId'],
};

/** The target of its mode: what the mode needs is there, and nothing another mode takes. Pure. */
export function restoreTarget(input: RestoreTargetInput): RestoreTarget {
  const problems: Record<string, string> = {};
  for (const field of ['name', 'hostIds', 'switchId'] as const) {
    if (input[field] !== undefined && !FIELDS_OF[input.mode].includes(field))
      problems[`target.${field}`] = `is not taken by mode "${input.mode}"`;
  }
  if (input.mode === 'new' && input.name === undefined) problems['target.name'] = 'is required for mode "new"';
  if (input.mode === 'existing' && input.switchId === undefined) problems['target.switchId'] = 'is required for mode "existing"';
  if (Object.keys(problems).length) throw new InvalidInputError(problems);
  switch (input.mode) {
    case 'same':
      return { mode: 'same' };
    case 'new':
      return { mode: 'new', name: input.name!, ...(input.hostIds ? { hostIds: input.hostIds } : {}) };
    case 'existing':
      return { mode: 'existing', switchId: input.switchId! };
  }
}

/** What a restore does to which switch. */
export interface RestorePlan {
  switchId: string;
  /** The switch's members after the restore; absent: it keeps its own. */
  hostIds?: string[];
  portGroups: SnapshotPortGroup[];
  /** How to create the switch when it does not exist (`new`, and `same` when the database lost it). */
  create?: { name: string; rollbackTimeoutMs: number; mtu: number };
  /** The switch's and port groups' opaque entries under the target's ids; absent (version 1): the target keeps its own. */
  opaque?: OpaqueEntry[];
}

/**
 * `same` puts the snapshot back onto its own switch, port group ids and members as they were;
 * `new` makes a new switch of it (the snapshot's hosts unless others are given); `existing` gives
 * another switch the snapshot's port groups, which keeps its own hosts. Off its own switch, port
 * groups get new ids. Pure but for `newId`.
 */
export function planRestore(doc: SnapshotDocument, target: RestoreTarget, newId: () => string): RestorePlan {
  const sw = doc.switch;
  const settings = { rollbackTimeoutMs: sw.rollbackTimeoutMs, mtu: sw.mtu };
  const entries = snapshotOpaqueEntries(doc);
  const opaque = (switchId: string, mapping: Record<string, string> | null) =>
    entries === undefined
      ? {}
      : {
          opaque: entries.map((e) => ({
            ...e,
            entity:
              e.entity.type === 'switch'
                ? { type: 'switch' as const, id: switchId }
                : { type: e.entity.type, id: mapping ? mapping[e.entity.id] : e.entity.id },
          })),
        };
  switch (target.mode) {
    case 'same':
      return {
        switchId: sw.id,
        hostIds: [...sw.hostIds],
        portGroups: sw.portGroups,
        create: { name: sw.name, ...settings },
        ...opaque(sw.id, null),
      };
    case 'new': {
      const switchId = newId();
      const { portGroups, mapping } = mapPortGroupIds(sw.portGroups, newId);
      return {
        switchId,
        hostIds: [...(target.hostIds ?? sw.hostIds)],
        portGroups,
        create: { name: target.name, ...settings },
        ...opaque(switchId, mapping),
      };
    }
    case 'existing': {
      const { portGroups, mapping } = mapPortGroupIds(sw.portGroups, newId);
      return { switchId: target.switchId, portGroups, ...opaque(target.switchId, mapping) };
    }
  }
}
