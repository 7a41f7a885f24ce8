import { ConflictError, type Decider, NotFoundError } from '@vnet/events';

export type TransportZoneEvent =
  | { type: 'TransportZoneCreated'; data: { id: string; name: string } }
  | { type: 'TransportZoneDeleted'; data: { id: string } };

export type TransportZoneCommand =
  | { type: 'CreateTransportZone'; id: string; name: string }
  | { type: 'DeleteTransportZone'; id: string; networksInZone: number };

export interface TransportZoneState {
  status: 'none' | 'active' | 'deleted';
  id: string | null;
  name: string | null;
}

export const transportZoneDecider: Decider<TransportZoneState, TransportZoneCommand, TransportZoneEvent> = {
  initialState: () => ({ status: 'none', id: null, name: null }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateTransportZone':
        if (state.status !== 'none') throw new ConflictError('ZONE_EXISTS', `transport zone ${command.id} already exists`);
        return [{ type: 'TransportZoneCreated', data: { id: command.id, name: command.name } }];
      case 'DeleteTransportZone':
        if (state.status !== 'active') throw new NotFoundError('transport zone', command.id);
        if (command.networksInZone > 0) {
          throw new ConflictError('ZONE_IN_USE', `transport zone ${command.id} still has ${command.networksInZone} logical network(s)`);
        }
        return [{ type: 'TransportZoneDeleted', data: { id: command.id } }];
      default: {
        const never: never = command;
        throw new Error(`unknown command ${(never as { type: string }).type}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'TransportZoneCreated':
        return { status: 'active', id: event.data.id, name: event.data.name };
      case 'TransportZoneDeleted':
        return { ...state, status: 'deleted' };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};

export const TransportZoneAggregate = {
  category: 'transportZone',
  snapshotSchema: 'transportZone.v1',
  initialState: transportZoneDecider.initialState,
  evolve: transportZoneDecider.evolve,
};
