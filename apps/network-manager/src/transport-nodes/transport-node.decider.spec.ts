import { ConflictError, NotFoundError } from '@vnet/events';
import { deciderSpec } from '../../../../test/harness/decider-spec.js';
import { type TransportNodeEvent, transportNodeDecider } from './transport-node.decider.js';

const spec = deciderSpec(transportNodeDecider);
const created: TransportNodeEvent = { type: 'TransportNodeCreated', data: { hostId: 'h1' } };
const inZ1: TransportNodeEvent = { type: 'TransportNodeZonesAdded', data: { hostId: 'h1', transportZoneIds: ['z1'] } };

describe('transport node decider', () => {
  it('creates a node with its zones', () =>
    spec.given([]).when({ type: 'AddTransportNodeZones', hostId: 'h1', transportZoneIds: ['z1', 'z1'] }).then([created, inZ1]));

  it('adds zones, never replaces them, and ignores those it has', () => {
    spec.given([created, inZ1]).when({ type: 'AddTransportNodeZones', hostId: 'h1', transportZoneIds: ['z1', 'z2'] }).then([
      { type: 'TransportNodeZonesAdded', data: { hostId: 'h1', transportZoneIds: ['z2'] } },
    ]);
    spec.given([created, inZ1]).when({ type: 'AddTransportNodeZones', hostId: 'h1', transportZoneIds: ['z1'] }).then([]);
  });

  it('removes a zone unless the host has logical ports on its networks', () => {
    spec.given([created, inZ1]).when({ type: 'RemoveTransportNodeZone', hostId: 'h1', transportZoneId: 'z1', portsInZone: 0 }).then([
      { type: 'TransportNodeZoneRemoved', data: { hostId: 'h1', transportZoneId: 'z1' } },
    ]);
    spec.given([created, inZ1]).when({ type: 'RemoveTransportNodeZone', hostId: 'h1', transportZoneId: 'z1', portsInZone: 2 }).thenThrows(ConflictError);
    spec.given([created, inZ1]).when({ type: 'RemoveTransportNodeZone', hostId: 'h1', transportZoneId: 'z9', portsInZone: 0 }).thenThrows(NotFoundError);
    spec.given([]).when({ type: 'RemoveTransportNodeZone', hostId: 'h1', transportZoneId: 'z1', portsInZone: 0 }).thenThrows(NotFoundError);
  });
});
