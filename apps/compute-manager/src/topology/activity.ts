import type { ActivityEntry } from './topology.js';

/** The part of a recorded event the activity is made from. */
export interface ActivitySource {
  id: string;
  type: string;
  data: unknown;
  recordedAt: Date;
}

/** The event types that are activity: rollbacks, reverts and restores of a switch, management repairs. */
export const ACTIVITY_TYPES = ['SwitchStateRestored', 'HostPortOverridden', 'HostPortOverridesCleared'] as const;

type Cause =
  | { kind: 'rollback'; revision: number; hostId: string; reason: string }
  | { kind: 'snapshot'; snapshotId: string }
  | { kind: 'revert'; toPosition: number };

/** The activity an event is, or null for any other event. Pure. */
export function activityOf(event: ActivitySource): ActivityEntry | null {
  const at = event.recordedAt.toISOString();
  switch (event.type) {
    case 'SwitchStateRestored': {
      const data = event.data as { id: string; revision: number; cause: Cause };
      const base = { id: event.id, at, switchId: data.id };
      switch (data.cause.kind) {
        case 'rollback':
          return {
            ...base,
            kind: 'rollback',
            hostId: data.cause.hostId,
            summary: `host ${data.cause.hostId} rolled back revision ${data.cause.revision}: ${data.cause.reason}; the switch is back as revision ${data.revision}`,
          };
        case 'revert':
          return { ...base, kind: 'revert', hostId: null, summary: `reverted to log position ${data.cause.toPosition} as revision ${data.revision}` };
        case 'snapshot':
          return { ...base, kind: 'snapshot-restore', hostId: null, summary: `restored from snapshot ${data.cause.snapshotId} as revision ${data.revision}` };
      }
      return null;
    }
    case 'HostPortOverridden': {
      const data = event.data as { hostId: string; switchId: string; portId: string; vlanId: number; reason: string };
      return {
        id: event.id,
        at,
        kind: 'management-repair',
        hostId: data.hostId,
        switchId: data.switchId,
        summary: `management port ${data.portId} of host ${data.hostId} put back on VLAN ${data.vlanId}: ${data.reason}`,
      };
    }
    case 'HostPortOverridesCleared': {
      const data = event.data as { hostId: string; switchId: string; reason: string };
      return { id: event.id, at, kind: 'repair-cleared', hostId: data.hostId, switchId: data.switchId, summary: `repair of host ${data.hostId} lapsed: ${data.reason}` };
    }
    default:
      return null;
  }
}
