import { ConflictError, type Decider, InvalidInputError, NotFoundError, VersionConflictError } from '@vnet/events';
import type { OpaqueEntry, PortGroupConfig, PortGroupPolicy } from '@vnet/contracts';
import { isDeepStrictEqual } from 'node:util';
import { requireKnownHosts } from '../hosts/unknown-hosts.error.js';
import {
  filterOpaque,
  type OpaqueChangeData,
  type OpaqueCommand,
  opaqueChanges,
  opaqueEntries,
  opaqueEventData,
  type OpaqueMap,
  opaqueMapOf,
  type OpaquePutData,
  withOpaqueDeleted,
  withOpaquePut,
} from '../opaque-data/opaque-map.js';

export const ROLLBACK_TIMEOUT_MIN = 1000;
export const ROLLBACK_TIMEOUT_MAX = 600000;
export const DEFAULT_ROLLBACK_TIMEOUT_MS = 30000;
export const DEFAULT_SWITCH_MTU = 1500;

export interface SwitchState {
  status: 'none' | 'active';
  id: string;
  name: string;
  revision: number;
  hostIds: string[];
  rollbackTimeoutMs: number;
  mtu: number;
  portGroups: PortGroupConfig[];
  /** Whether the last change is pushed with the rollback safety net. */
  rollback: boolean;
  /** Extensions' data on the switch and its port groups (absent in states stored before it existed). */
  opaque?: OpaqueMap;
}

export type SwitchEvent =
  | { type: 'SwitchCreated'; data: { id: string; name: string; hostIds: string[]; rollbackTimeoutMs: number; mtu: number; revision: 1 } }
  | { type: 'SwitchHostAdded'; data: { id: string; hostId: string; revision: number } }
  | { type: 'PortGroupAdded'; data: { id: string; portGroup: Omit<PortGroupConfig, 'changedAtRevision'>; revision: number } }
  | {
      type: 'PortGroupReconfigured';
      data: { id: string; portGroupId: string; vlanId?: number; policy?: PortGroupPolicy; revision: number; rollback?: boolean };
    }
  | { type: 'SwitchStateRestored'; data: { id: string; revision: number } & RestoredSwitchState & { cause: RestoreCause } }
  | { type: 'OpaqueDataPut'; data: { id: string; revision: number } & OpaquePutData }
  | { type: 'OpaqueDataDeleted'; data: { id: string; revision: number } & OpaqueChangeData };

/** What a restore puts back: a switch's members and port groups, whole. */
export interface RestoredSwitchState {
  hostIds: string[];
  portGroups: Array<Omit<PortGroupConfig, 'changedAtRevision'>>;
  /**
   * The switch's and port groups' opaque entries, whole. Absent (events recorded before it existed):
   * the switch keeps its own, less those of port groups it no longer has.
   */
  opaque?: OpaqueEntry[];
}

/**
 * Why a switch goes back to an earlier state: a host rolled a change back (§6.4), a snapshot was
 * restored (§6.6), or an operator reverted it to a position of the log.
 */
export type RestoreCause =
  | { kind: 'rollback'; revision: number; hostId: string; reason: string }
  | { kind: 'snapshot'; snapshotId: string }
  | { kind: 'revert'; toPosition: number };

export type SwitchCommand =
  | { type: 'CreateSwitch'; id: string; name: string; hostIds: string[]; rollbackTimeoutMs: number; mtu: number; unknownHostIds: string[] }
  | { type: 'AddSwitchHost'; id: string; hostId: string; hostKnown: boolean }
  | { type: 'AddPortGroup'; id: string; portGroup: Omit<PortGroupConfig, 'changedAtRevision'> }
  | {
      type: 'ReconfigurePortGroup';
      id: string;
      portGroupId: string;
      vlanId?: number;
      policy?: PortGroupPolicy;
      expectedRevision?: number;
      rollback?: boolean;
    }
  | ({
      type: 'RestoreSwitchState';
      id: string;
      cause: RestoreCause;
      unknownHostIds: string[];
      /**
       * Creates the switch when it does not exist (a new switch from a snapshot, or its own switch
       * that the database lost): `SwitchCreated`, then `SwitchStateRestored`, in one decision.
       */
      create?: { name: string; rollbackTimeoutMs: number; mtu: number };
      /**
       * The restored revision is above this one too: hosts may still hold a later revision of a
       * switch the database lost, and apply only a revision newer than the one they run.
       */
      revisionAbove?: number;
    } & RestoredSwitchState)
  | ({ type: 'ChangeSwitchOpaqueData'; id: string } & OpaqueCommand);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const switchDecider: Decider<SwitchState, SwitchCommand, SwitchEvent> = {
  initialState: () => ({
    status: 'none',
    id: '',
    name: '',
    revision: 0,
    hostIds: [],
    rollbackTimeoutMs: DEFAULT_ROLLBACK_TIMEOUT_MS,
    mtu: DEFAULT_SWITCH_MTU,
    portGroups: [],
    rollback: true,
    opaque: {},
  }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateSwitch': {
        if (state.status !== 'none') throw new ConflictError('SWITCH_EXISTS', `switch ${command.id} already exists`);
        if (command.rollbackTimeoutMs < ROLLBACK_TIMEOUT_MIN || command.rollbackTimeoutMs > ROLLBACK_TIMEOUT_MAX) {
          throw new InvalidInputError({ rollbackTimeoutMs: `must be from ${ROLLBACK_TIMEOUT_MIN} to ${ROLLBACK_TIMEOUT_MAX}` });
        }
        requireKnownHosts(command.unknownHostIds);
        const { type: _t, unknownHostIds: _u, ...data } = command;
        return [{ type: 'SwitchCreated', data: { ...data, hostIds: [...new Set(command.hostIds)], revision: 1 } }];
      }
      case 'AddSwitchHost': {
        active(state, command.id);
        if (!command.hostKnown) requireKnownHosts([command.hostId]);
        if (state.hostIds.includes(command.hostId)) return [];
        return [{ type: 'SwitchHostAdded', data: { id: command.id, hostId: command.hostId, revision: state.revision + 1 } }];
      }
      case 'AddPortGroup': {
        active(state, command.id);
        if (state.portGroups.some((pg) => pg.id === command.portGroup.id)) {
          throw new ConflictError('PORT_GROUP_EXISTS', `port group ${command.portGroup.id} already exists`);
        }
        return [{ type: 'PortGroupAdded', data: { id: command.id, portGroup: command.portGroup, revision: state.revision + 1 } }];
      }
      case 'ReconfigurePortGroup': {
        active(state, command.id);
        if (command.expectedRevision !== undefined && command.expectedRevision !== state.revision) {
          throw new VersionConflictError(`switch-${command.id}`, command.expectedRevision, state.revision);
        }
        const pg = state.portGroups.find((p) => p.id === command.portGroupId);
        if (!pg) throw new NotFoundError('port group', command.portGroupId);
        const change: { vlanId?: number; policy?: PortGroupPolicy } = {};
        if (command.vlanId !== undefined && command.vlanId !== pg.vlanId) change.vlanId = command.vlanId;
        if (command.policy !== undefined && !same(command.policy, pg.policy)) change.policy = command.policy;
        if (Object.keys(change).length === 0) return [];
        const rollback = command.rollback === false ? { rollback: false } : {};
        return [
          { type: 'PortGroupReconfigured', data: { id: command.id, portGroupId: pg.id, ...change, revision: state.revision + 1, ...rollback } },
        ];
      }
      case 'RestoreSwitchState': {
        if (state.status === 'none' && command.create) {
          const { create, unknownHostIds, hostIds, id } = command;
          const created = switchDecider.decide({ type: 'CreateSwitch', id, ...create, hostIds, unknownHostIds }, state);
          const after = created.reduce(switchDecider.evolve, state);
          return [...created, restored(after, command)];
        }
        active(state, command.id);
        requireKnownHosts(command.unknownHostIds);
        const current = { hostIds: state.hostIds, portGroups: state.portGroups.map(({ changedAtRevision: _c, ...pg }) => pg) };
        const unchanged =
          isDeepStrictEqual(current, { hostIds: [...new Set(command.hostIds)], portGroups: command.portGroups }) &&
          (command.opaque === undefined || isDeepStrictEqual(opaqueEntries(state.opaque), opaqueEntries(opaqueMapOf(command.opaque))));
        if (unchanged && state.revision > (command.revisionAbove ?? 0)) return [];
        return [restored(state, command)];
      }
      case 'ChangeSwitchOpaqueData': {
        active(state, command.id);
        const { type: _t, id, ...change } = command;
        if (change.entity.type === 'switch' ? change.entity.id !== id : !state.portGroups.some((pg) => pg.id === change.entity.id)) {
          throw new NotFoundError(change.entity.type === 'switch' ? 'switch' : 'port group', change.entity.id);
        }
        if (!opaqueChanges(state.opaque, change)) return [];
        const data = { id, revision: state.revision + 1, ...opaqueEventData(change) };
        return [change.op === 'put' ? { type: 'OpaqueDataPut', data: data as typeof data & OpaquePutData } : { type: 'OpaqueDataDeleted', data }];
      }
      default: {
        const never: never = command;
        throw new Error(`unknown command ${(never as { type: string }).type}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'SwitchCreated':
        return { ...state, status: 'active', ...event.data, portGroups: [], rollback: true };
      case 'SwitchHostAdded':
        return { ...state, hostIds: [...state.hostIds, event.data.hostId], revision: event.data.revision, rollback: true };
      case 'PortGroupAdded':
        return {
          ...state,
          revision: event.data.revision,
          rollback: true,
          portGroups: [...state.portGroups, { ...event.data.portGroup, changedAtRevision: event.data.revision }],
        };
      case 'PortGroupReconfigured': {
        const { portGroupId, revision, vlanId, policy } = event.data;
        return {
          ...state,
          revision,
          rollback: event.data.rollback !== false,
          portGroups: state.portGroups.map((pg) =>
            pg.id === portGroupId
              ? { ...pg, ...(vlanId !== undefined ? { vlanId } : {}), ...(policy !== undefined ? { policy } : {}), changedAtRevision: revision }
              : pg,
          ),
        };
      }
      case 'SwitchStateRestored': {
        const { revision, hostIds, portGroups, opaque } = event.data;
        const before = new Map(state.portGroups.map((pg) => [pg.id, pg]));
        const kept = new Set(portGroups.map((pg) => pg.id));
        return {
          ...state,
          revision,
          hostIds,
          rollback: true,
          opaque: opaque ? opaqueMapOf(opaque) : filterOpaque(state.opaque, (e) => e.type === 'switch' || kept.has(e.id)),
          // A port group that comes back as it was keeps the revision it last changed at: hosts re-apply only what changed.
          portGroups: portGroups.map((pg) => {
            const was = before.get(pg.id);
            return was && isDeepStrictEqual({ ...was, changedAtRevision: 0 }, { ...pg, changedAtRevision: 0 }) ? was : { ...pg, changedAtRevision: revision };
          }),
        };
      }
      case 'OpaqueDataPut': {
        const { id: _id, revision, ...data } = event.data;
        return { ...state, revision, rollback: true, opaque: withOpaquePut(state.opaque, data) };
      }
      case 'OpaqueDataDeleted': {
        const { id: _id, revision, ...data } = event.data;
        return { ...state, revision, rollback: true, opaque: withOpaqueDeleted(state.opaque, data) };
      }
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};

/** The restore of an active switch, as its next revision (and above `revisionAbove`). */
function restored(state: SwitchState, command: Extract<SwitchCommand, { type: 'RestoreSwitchState' }>): SwitchEvent {
  requireUniquePortGroups(command.portGroups);
  const groups = new Set(command.portGroups.map((pg) => pg.id));
  const stray = (command.opaque ?? []).filter((e) => (e.entity.type === 'switch' ? e.entity.id !== command.id : !groups.has(e.entity.id)));
  if (stray.length) throw new InvalidInputError({ opaque: `names ${stray[0].entity.type} ${stray[0].entity.id}, which is not of the restored switch` });
  const revision = Math.max(state.revision, command.revisionAbove ?? 0) + 1;
  return {
    type: 'SwitchStateRestored',
    data: {
      id: command.id,
      revision,
      hostIds: [...new Set(command.hostIds)],
      portGroups: command.portGroups,
      ...(command.opaque ? { opaque: opaqueEntries(opaqueMapOf(command.opaque)) } : {}),
      cause: command.cause,
    },
  };
}

function requireUniquePortGroups(portGroups: RestoredSwitchState['portGroups']): void {
  const ids = portGroups.map((pg) => pg.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length) throw new ConflictError('PORT_GROUP_EXISTS', `port group ${twice[0]} is given more than once`);
}

function active(state: SwitchState, id: string): void {
  if (state.status !== 'active') throw new NotFoundError('switch', id);
}

export const SwitchAggregate = {
  category: 'switch',
  snapshotSchema: 'switch.v2',
  initialState: switchDecider.initialState,
  evolve: switchDecider.evolve,
};
