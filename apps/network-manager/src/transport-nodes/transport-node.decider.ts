import { type Decider, NotFoundError, ConflictError } from '@vnet/events';

export type TransportNodeEvent =
  | { type: 'TransportNodeCreated'; data: { hostId: string } }
  | { type: 'TransportNodeZonesAdded'; data: { hostId: string; transportZoneIds: string[] } }
  | { type: 'TransportNodeZoneRemoved'; data: { hostId: string; transportZoneId: string } };

export type TransportNodeCommand =
  | { type: 'AddTransportNodeZones'; hostId: string; transportZoneIds: string[] }
  | { type: 'RemoveTransportNodeZone'; hostId: string; transportZoneId: string; portsInZone: number };

export interface TransportNodeState {
  exists: boolean;
  transportZoneIds: string[];
}

export const transportNodeDecider: Decider<TransportNodeState, TransportNodeCommand, TransportNodeEvent> = {
  initialState: () => ({ exists: false, transportZoneIds: [] }),

  decide(command, state) {
    switch (command.type) {
      case 'AddTransportNodeZones': {
        const events: TransportNodeEvent[] = [];
        if (!state.exists) events.push({ type: 'TransportNodeCreated', data: { hostId: command.hostId } });
        // Zones are added, never replaced; a zone the node has already changes nothing.
        const added = [...new Set(command.transportZoneIds)].filter((z) => !state.transportZoneIds.includes(z));
        if (added.length) events.push({ type: 'TransportNodeZonesAdded', data: { hostId: command.hostId, transportZoneIds: added } });
        return events;
      }
      case 'RemoveTransportNodeZone': {
        if (!state.exists) throw new NotFoundError('transport node', command.hostId);
        if (!state.transportZoneIds.includes(command.transportZoneId)) {
          throw new NotFoundError(`transport zone of node ${command.hostId}`, command.transportZoneId);
        }
        if (command.portsInZone > 0) {
          throw new ConflictError(
            'NETWORK_IN_USE',
            `host ${command.hostId} has ${command.portsInZone} logical port(s) on networks of zone ${command.transportZoneId}`,
          );
        }
        return [{ type: 'TransportNodeZoneRemoved', data: { hostId: command.hostId, transportZoneId: command.transportZoneId } }];
      }
      default: {
        const never: never = command;
        throw new Error(`unknown command ${(never as { type: string }).type}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'TransportNodeCreated':
        return { exists: true, transportZoneIds: [] };
      case 'TransportNodeZonesAdded':
        return { ...state, transportZoneIds: [...state.transportZoneIds, ...event.data.transportZoneIds] };
      case 'TransportNodeZoneRemoved':
        return { ...state, transportZoneIds: state.transportZoneIds.filter((z) => z !== event.data.transportZoneId) };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};

export const TransportNodeAggregate = {
  category: 'transportNode',
  snapshotSchema: 'transportNode.v1',
  initialState: transportNodeDecider.initialState,
  evolve: transportNodeDecider.evolve,
};
