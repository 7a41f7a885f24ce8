import type { Decider } from '@vnet/events';
import { heldAfterReport, isStaleReport, type LogicalNetworkConstruct, type ModuleData, type PortOverride } from '@vnet/contracts';
import { NotFoundError } from '@vnet/events';
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

export type HostEvent =
  | { type: 'HostAdded'; data: { hostId: string } }
  | { type: 'HostDiscovered'; data: { hostId: string; bootId: string } }
  | {
      type: 'HostNetworksReported';
      data: { hostId: string; bootId: string; seq: number; upserted: LogicalNetworkConstruct[]; removed: string[] };
    }
  | { type: 'HostPortOverridden'; data: { hostId: string } & PortOverride & { reason: string } }
  | { type: 'HostPortOverridesCleared'; data: { hostId: string; switchId: string; reason: string } }
  /** An extension's data on the host itself (`entity.type` `host`). */
  | { type: 'OpaqueDataPut'; data: { hostId: string } & OpaquePutData }
  | { type: 'OpaqueDataDeleted'; data: { hostId: string } & OpaqueChangeData }
  /** Data a module on the host sent up, about any entity; `messageId` is the message's `id`. */
  | { type: 'ModuleDataReported'; data: Omit<ModuleData, 'id'> & { messageId: string } }
  /** The server was told to refuse the host's NATS user `userKey` (its credentials issued up to `revokedAt`). */
  | { type: 'HostCredentialsRevoked'; data: { hostId: string; userKey: string; revokedAt: string } };

export type HostCommand =
  | { type: 'AddHost'; hostId: string }
  | {
      type: 'ApplyHostReport';
      hostId: string;
      bootId: string;
      seq: number;
      held?: Array<{ id: string; revision: number }>;
      upserted: LogicalNetworkConstruct[];
      removed: string[];
    }
  | ({ type: 'OverrideHostPort'; hostId: string; reason: string } & PortOverride)
  | { type: 'ClearHostPortOverrides'; hostId: string; switchId: string; reason: string }
  | ({ type: 'ChangeHostOpaqueData'; hostId: string } & OpaqueCommand)
  | { type: 'RecordModuleData'; message: ModuleData }
  | { type: 'RecordCredentialsRevoked'; hostId: string; userKey: string; revokedAt: string };

export interface HostState {
  added: boolean;
  /** The host has reported at least once (it exists, whether or not an operator added it). */
  seen: boolean;
  /** The networks the host holds: id → revision. */
  networks: Record<string, number>;
  bootId: string | null;
  seq: number;
  /** Ports of this host configured apart from their port group, by `<switchId>/<portId>`. */
  overrides: Record<string, PortOverride>;
  /** Extensions' data on the host (absent in states stored before it existed). */
  opaque?: OpaqueMap;
  /** The host's revoked NATS users: user key → when (absent in states stored before it existed). */
  revokedCredentials?: Record<string, string>;
}

const overrideKey = (o: { switchId: string; portId: string }) => `${o.switchId}/${o.portId}`;

/**
 * A host as the compute manager knows it: added by the operator, and what it reported it holds.
 * The compute manager learns logical networks from hosts' reports only.
 */
export const hostDecider: Decider<HostState, HostCommand, HostEvent> = {
  initialState: () => ({ added: false, seen: false, networks: {}, bootId: null, seq: 0, overrides: {}, opaque: {} }),

  decide(command, state) {
    switch (command.type) {
      case 'AddHost':
        return state.added ? [] : [{ type: 'HostAdded', data: { hostId: command.hostId } }];
      case 'ApplyHostReport': {
        if (isStaleReport(state, command)) return [];
        const next = heldAfterReport(state.networks, command);
        const upserted = command.upserted.filter((c) => state.networks[c.id] !== c.revision);
        const removed = Object.keys(state.networks).filter((id) => !(id in next));
        const discovered: HostEvent[] = state.seen ? [] : [{ type: 'HostDiscovered', data: { hostId: command.hostId, bootId: command.bootId } }];
        if (upserted.length === 0 && removed.length === 0) return discovered;
        return [
          ...discovered,
          {
            type: 'HostNetworksReported',
            data: { hostId: command.hostId, bootId: command.bootId, seq: command.seq, upserted, removed },
          },
        ];
      }
      case 'OverrideHostPort': {
        const { type: _t, hostId, reason, ...override } = command;
        const current = state.overrides[overrideKey(override)];
        // A repair asked again (the host retries until it hears back) records nothing new.
        if (current && current.vlanId === override.vlanId && current.fromRevision === override.fromRevision) return [];
        return [{ type: 'HostPortOverridden', data: { hostId, ...override, reason } }];
      }
      case 'ClearHostPortOverrides': {
        const { hostId, switchId, reason } = command;
        if (!Object.values(state.overrides).some((o) => o.switchId === switchId)) return [];
        return [{ type: 'HostPortOverridesCleared', data: { hostId, switchId, reason } }];
      }
      case 'ChangeHostOpaqueData': {
        const { type: _t, hostId, ...change } = command;
        if (!(state.added || state.seen) || change.entity.type !== 'host' || change.entity.id !== hostId) throw new NotFoundError('host', change.entity.id);
        if (!opaqueChanges(state.opaque, change)) return [];
        const data = { hostId, ...opaqueEventData(change) };
        return [change.op === 'put' ? { type: 'OpaqueDataPut', data: data as typeof data & OpaquePutData } : { type: 'OpaqueDataDeleted', data }];
      }
      case 'RecordModuleData': {
        const { id, ...message } = command.message;
        return [{ type: 'ModuleDataReported', data: { ...message, messageId: id } }];
      }
      case 'RecordCredentialsRevoked': {
        // Revoked once: revoking the same credentials again records nothing (the first time stands).
        if (state.revokedCredentials?.[command.userKey]) return [];
        const { hostId, userKey, revokedAt } = command;
        return [{ type: 'HostCredentialsRevoked', data: { hostId, userKey, revokedAt } }];
      }
      default: {
        const never: never = command;
        throw new Error(`unknown command ${(never as { type: string }).type}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'HostAdded':
        return { ...state, added: true };
      case 'HostDiscovered':
        return { ...state, seen: true };
      case 'HostNetworksReported': {
        const networks = { ...state.networks };
        for (const c of event.data.upserted) networks[c.id] = c.revision;
        for (const id of event.data.removed) delete networks[id];
        return { ...state, seen: true, networks, bootId: event.data.bootId, seq: event.data.seq };
      }
      case 'HostPortOverridden': {
        const { hostId: _h, reason: _r, ...override } = event.data;
        return { ...state, overrides: { ...state.overrides, [overrideKey(override)]: override } };
      }
      case 'HostPortOverridesCleared': {
        const overrides = Object.fromEntries(Object.entries(state.overrides).filter(([, o]) => o.switchId !== event.data.switchId));
        return { ...state, overrides };
      }
      case 'OpaqueDataPut': {
        const { hostId: _h, ...data } = event.data;
        return { ...state, opaque: withOpaquePut(state.opaque, data) };
      }
      case 'OpaqueDataDeleted': {
        const { hostId: _h, ...data } = event.data;
        return { ...state, opaque: withOpaqueDeleted(state.opaque, data) };
      }
      case 'ModuleDataReported':
        return state;
      case 'HostCredentialsRevoked':
        return { ...state, revokedCredentials: { ...state.revokedCredentials, [event.data.userKey]: event.data.revokedAt } };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};

export const HostAggregate = {
  category: 'host',
  snapshotSchema: 'host.v3',
  initialState: hostDecider.initialState,
  evolve: hostDecider.evolve,
};
