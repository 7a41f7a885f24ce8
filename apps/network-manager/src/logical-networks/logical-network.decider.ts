import { ConflictError, type Decider, InvalidInputError, NotFoundError, VersionConflictError } from '@vnet/events';

export const VNI_MIN = 1;
export const VNI_MAX = 16777215;
export const MTU_MIN = 576;
export const MTU_MAX = 9216;
export const DEFAULT_MTU = 1500;

export interface LogicalNetworkFields {
  id: string;
  name: string;
  vni: number;
  mtu: number;
  transportZoneId: string;
}

export type LogicalNetworkEvent =
  | { type: 'LogicalNetworkCreated'; data: LogicalNetworkFields & { revision: 1 } }
  | { type: 'LogicalNetworkUpdated'; data: { id: string; revision: number; name?: string; mtu?: number } }
  | { type: 'LogicalNetworkDeleted'; data: { id: string; transportZoneId: string; vni: number } }
  /** Back to what it was at a position of the log: the fields that can change (name, MTU), whole, as a new revision. */
  | { type: 'LogicalNetworkReverted'; data: { id: string; revision: number; name: string; mtu: number; toPosition: number } };

export type LogicalNetworkCommand =
  | ({ type: 'CreateLogicalNetwork' } & LogicalNetworkFields)
  | { type: 'UpdateLogicalNetwork'; id: string; name?: string; mtu?: number; expectedRevision?: number }
  | { type: 'DeleteLogicalNetwork'; id: string; portsOnNetwork: number }
  /** `past`: the network's state folded up to `toPosition`. */
  | { type: 'RevertLogicalNetwork'; id: string; toPosition: number; past: LogicalNetworkState };

export interface LogicalNetworkState {
  status: 'none' | 'active' | 'deleted';
  network: (LogicalNetworkFields & { revision: number }) | null;
}

export const logicalNetworkDecider: Decider<LogicalNetworkState, LogicalNetworkCommand, LogicalNetworkEvent> = {
  initialState: () => ({ status: 'none', network: null }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateLogicalNetwork': {
        if (state.status !== 'none') throw new ConflictError('NETWORK_EXISTS', `logical network ${command.id} already exists`);
        checkRanges({ vni: command.vni, mtu: command.mtu });
        const { type: _type, ...fields } = command;
        return [{ type: 'LogicalNetworkCreated', data: { ...fields, revision: 1 } }];
      }
      case 'UpdateLogicalNetwork': {
        const network = active(state, command.id);
        if (command.expectedRevision !== undefined && command.expectedRevision !== network.revision) {
          throw new VersionConflictError(`logicalNetwork-${command.id}`, command.expectedRevision, network.revision);
        }
        checkRanges({ mtu: command.mtu });
        const changes: { name?: string; mtu?: number } = {};
        if (command.name !== undefined && command.name !== network.name) changes.name = command.name;
        if (command.mtu !== undefined && command.mtu !== network.mtu) changes.mtu = command.mtu;
        // A PATCH that changes nothing records nothing and keeps the revision.
        if (Object.keys(changes).length === 0) return [];
        return [{ type: 'LogicalNetworkUpdated', data: { id: command.id, revision: network.revision + 1, ...changes } }];
      }
      case 'DeleteLogicalNetwork': {
        const network = active(state, command.id);
        if (command.portsOnNetwork > 0) {
          throw new ConflictError('NETWORK_IN_USE', `logical network ${command.id} has ${command.portsOnNetwork} logical port(s) on hosts`);
        }
        return [{ type: 'LogicalNetworkDeleted', data: { id: command.id, transportZoneId: network.transportZoneId, vni: network.vni } }];
      }
      case 'RevertLogicalNetwork': {
        const network = active(state, command.id);
        const past = command.past.network;
        if (command.past.status !== 'active' || !past) {
          throw new ConflictError('NOT_YET_CREATED', `logical network ${command.id} did not exist yet at position ${command.toPosition}`);
        }
        // VNI and zone are set once at creation: only name and MTU can differ from then.
        if (past.name === network.name && past.mtu === network.mtu) return [];
        return [
          {
            type: 'LogicalNetworkReverted',
            data: { id: command.id, revision: network.revision + 1, name: past.name, mtu: past.mtu, toPosition: command.toPosition },
          },
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
      case 'LogicalNetworkCreated':
        return { status: 'active', network: { ...event.data } };
      case 'LogicalNetworkUpdated': {
        const { id: _id, ...changes } = event.data;
        return { ...state, network: { ...state.network!, ...changes } };
      }
      case 'LogicalNetworkDeleted':
        return { ...state, status: 'deleted' };
      case 'LogicalNetworkReverted': {
        const { revision, name, mtu } = event.data;
        return { ...state, network: { ...state.network!, revision, name, mtu } };
      }
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};

function active(state: LogicalNetworkState, id: string) {
  if (state.status !== 'active' || !state.network) throw new NotFoundError('logical network', id);
  return state.network;
}

function checkRanges(values: { vni?: number; mtu?: number }): void {
  const problems: Record<string, string> = {};
  if (values.vni !== undefined && !(Number.isInteger(values.vni) && values.vni >= VNI_MIN && values.vni <= VNI_MAX)) {
    problems.vni = `must be an integer from ${VNI_MIN} to ${VNI_MAX}`;
  }
  if (values.mtu !== undefined && !(Number.isInteger(values.mtu) && values.mtu >= MTU_MIN && values.mtu <= MTU_MAX)) {
    problems.mtu = `must be an integer from ${MTU_MIN} to ${MTU_MAX}`;
  }
  if (Object.keys(problems).length) throw new InvalidInputError(problems);
}

export const LogicalNetworkAggregate = {
  category: 'logicalNetwork',
  snapshotSchema: 'logicalNetwork.v1',
  initialState: logicalNetworkDecider.initialState,
  evolve: logicalNetworkDecider.evolve,
};
