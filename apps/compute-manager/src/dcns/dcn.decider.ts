import { ConflictError, type Decider, InvalidInputError, NotFoundError } from '@vnet/events';
import { requireKnownHosts } from '../hosts/unknown-hosts.error.js';
import {
  type OpaqueChangeData,
  type OpaqueCommand,
  opaqueChanges,
  opaqueEventData,
  type OpaqueMap,
  type OpaquePutData,
  withOpaqueDeleted,
  withOpaquePut,
} from '../opaque-data/opaque-map.js';

export type NicNetwork = { kind: 'logical'; id: string } | { kind: 'port-group'; id: string; switchId: string };

export interface Nic {
  id: string;
  portId: string;
  network: NicNetwork;
}

/**
 * `DcnMigrationStarted` and `DcnMigrationAborted` are no longer recorded (a migration under way is
 * operational state, in `dcn_migrations`): they stay here so that older logs still fold and project.
 */
export type DcnEvent =
  | { type: 'DcnCreated'; data: { id: string; name: string; hostId: string } }
  | { type: 'NicAttached'; data: { id: string; hostId: string; nic: Nic } }
  | { type: 'DcnMigrationStarted'; data: { id: string; from: string; to: string } }
  | { type: 'DcnMigrated'; data: { id: string; from: string; to: string } }
  | { type: 'DcnMigrationAborted'; data: { id: string; from: string; to: string; reason: string } }
  /** Opaque data on one of the DCN's ports (`entity.type` `port`); `hostIds` are the hosts that run the port. */
  | { type: 'OpaqueDataPut'; data: { id: string; hostIds: string[] } & OpaquePutData }
  | { type: 'OpaqueDataDeleted'; data: { id: string; hostIds: string[] } & OpaqueChangeData };

/**
 * What the host holds that a command needs to know, looked up by the service before deciding.
 * `migrating`: a migration of the DCN is under way (its `dcn_migrations` row, read under the stream's lock).
 * `StartMigration` is a check only: it records nothing, the service keeps the migration's row.
 * `AbortMigration` aborts a migration an older log left started.
 * `migratingTo` (`ChangePortOpaqueData`): the target of the migration under way, whose ports include
 * the DCN's until it ends (its `dcn_migrations` row, read under the stream's lock).
 */
export type DcnCommand =
  | { type: 'CreateDcn'; id: string; name: string; hostId: string; hostKnown: boolean }
  | { type: 'AttachNic'; id: string; nic: Nic; hostHasNetwork: boolean; migrating: boolean }
  | {
      type: 'StartMigration';
      id: string;
      targetHostId: string;
      targetKnown: boolean;
      missingOnTarget: string[];
      migrating: boolean;
    }
  | { type: 'CompleteMigration'; id: string; targetHostId: string }
  | { type: 'AbortMigration'; id: string; reason: string }
  | ({ type: 'ChangePortOpaqueData'; id: string; migratingTo?: string | null } & OpaqueCommand);

export interface DcnState {
  status: 'none' | 'active';
  id: string;
  name: string;
  hostId: string;
  nics: Nic[];
  migratingTo: string | null;
  /** Extensions' data on the DCN's ports (absent in states stored before it existed). */
  opaque?: OpaqueMap;
}

export const dcnDecider: Decider<DcnState, DcnCommand, DcnEvent> = {
  initialState: () => ({ status: 'none', id: '', name: '', hostId: '', nics: [], migratingTo: null, opaque: {} }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateDcn':
        if (state.status !== 'none') throw new ConflictError('DCN_EXISTS', `DCN ${command.id} already exists`);
        if (!command.hostKnown) requireKnownHosts([command.hostId]);
        return [{ type: 'DcnCreated', data: { id: command.id, name: command.name, hostId: command.hostId } }];
      case 'AttachNic': {
        active(state, command.id);
        if (command.migrating || state.migratingTo)
          throw new ConflictError('MIGRATION_IN_PROGRESS', `DCN ${command.id} is migrating`);
        if (!command.hostHasNetwork) {
          throw new ConflictError(
            'NETWORK_NOT_ON_HOST',
            command.nic.network.kind === 'logical'
              ? `host ${state.hostId} does not hold logical network ${command.nic.network.id}`
              : `host ${state.hostId} is not a member of the switch of port group ${command.nic.network.id}`,
          );
        }
        return [{ type: 'NicAttached', data: { id: command.id, hostId: state.hostId, nic: command.nic } }];
      }
      case 'StartMigration': {
        active(state, command.id);
        if (command.migrating || state.migratingTo)
          throw new ConflictError('MIGRATION_IN_PROGRESS', `DCN ${command.id} is already migrating`);
        if (command.targetHostId === state.hostId) throw new InvalidInputError({ targetHostId: `is already the DCN's host` });
        if (!command.targetKnown) requireKnownHosts([command.targetHostId]);
        if (command.missingOnTarget.length) {
          throw new ConflictError('NETWORK_NOT_ON_TARGET', `host ${command.targetHostId} lacks networks of DCN ${command.id}`, {
            missing: command.missingOnTarget,
          });
        }
        return [];
      }
      case 'CompleteMigration':
        active(state, command.id);
        if (command.targetHostId === state.hostId) return [];
        return [{ type: 'DcnMigrated', data: { id: command.id, from: state.hostId, to: command.targetHostId } }];
      case 'AbortMigration':
        active(state, command.id);
        if (!state.migratingTo) return [];
        return [
          {
            type: 'DcnMigrationAborted',
            data: { id: command.id, from: state.hostId, to: state.migratingTo, reason: command.reason },
          },
        ];
      case 'ChangePortOpaqueData': {
        const { type: _t, id, migratingTo, ...change } = command;
        if (
          state.status !== 'active' ||
          change.entity.type !== 'port' ||
          !state.nics.some((n) => n.portId === change.entity.id)
        ) {
          throw new NotFoundError('port', change.entity.id);
        }
        if (!opaqueChanges(state.opaque, change)) return [];
        // The migration's target runs the DCN's ports too: the change is pushed to both.
        const target = migratingTo ?? state.migratingTo;
        const data = {
          id,
          hostIds: target && target !== state.hostId ? [state.hostId, target] : [state.hostId],
          ...opaqueEventData(change),
        };
        return [
          change.op === 'put'
            ? { type: 'OpaqueDataPut', data: data as typeof data & OpaquePutData }
            : { type: 'OpaqueDataDeleted', data },
        ];
      }
      default: {
        const never: never = command;
        throw new Error(`unknown command ${(never as { type: string }).type}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'DcnCreated':
        return { ...state, status: 'active', id: event.data.id, name: event.data.name, hostId: event.data.hostId };
      case 'NicAttached':
        return { ...state, nics: [...state.nics, event.data.nic] };
      case 'DcnMigrationStarted':
        return { ...state, migratingTo: event.data.to };
      case 'DcnMigrated':
        return { ...state, hostId: event.data.to, migratingTo: null };
      case 'DcnMigrationAborted':
        return { ...state, migratingTo: null };
      case 'OpaqueDataPut': {
        const { id: _id, hostIds: _h, ...data } = event.data;
        return { ...state, opaque: withOpaquePut(state.opaque, data) };
      }
      case 'OpaqueDataDeleted': {
        const { id: _id, hostIds: _h, ...data } = event.data;
        return { ...state, opaque: withOpaqueDeleted(state.opaque, data) };
      }
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};

function active(state: DcnState, id: string): void {
  if (state.status !== 'active') throw new NotFoundError('DCN', id);
}

/** The networks a target host must hold for the DCN to move there, compared by id (pure). */
export function missingOnTarget(
  nics: Nic[],
  target: { logicalNetworkIds: ReadonlySet<string>; switchIds: ReadonlySet<string> },
): string[] {
  const missing = nics
    .filter((n) =>
      n.network.kind === 'logical' ? !target.logicalNetworkIds.has(n.network.id) : !target.switchIds.has(n.network.switchId),
    )
    .map((n) => n.network.id);
  return [...new Set(missing)];
}

export const DcnAggregate = {
  category: 'dcn',
  snapshotSchema: 'dcn.v2',
  initialState: dcnDecider.initialState,
  evolve: dcnDecider.evolve,
};
