import { ConflictError, NotFoundError } from '@vnet/events';
import { deciderSpec } from '../../../../test/harness/decider-spec.js';
import { transportZoneDecider } from './transport-zone.decider.js';

const spec = deciderSpec(transportZoneDecider);
const created = { type: 'TransportZoneCreated' as const, data: { id: 'z1', name: 'overlay' } };

describe('transport zone decider', () => {
  it('creates a zone', () =>
    spec.given([]).when({ type: 'CreateTransportZone', id: 'z1', name: 'overlay' }).then([created]));

  it('refuses to create the same zone twice', () =>
    spec.given([created]).when({ type: 'CreateTransportZone', id: 'z1', name: 'again' }).thenThrows(ConflictError));

  it('deletes an empty zone', () =>
    spec.given([created]).when({ type: 'DeleteTransportZone', id: 'z1', networksInZone: 0 }).then([
      { type: 'TransportZoneDeleted', data: { id: 'z1' } },
    ]));

  it('refuses to delete a zone that has networks (ZONE_IN_USE)', () =>
    spec.given([created]).when({ type: 'DeleteTransportZone', id: 'z1', networksInZone: 2 }).thenThrows(ConflictError, /2 logical network/));

  it('does not know a deleted or unknown zone', () => {
    spec.given([]).when({ type: 'DeleteTransportZone', id: 'z1', networksInZone: 0 }).thenThrows(NotFoundError);
    spec.given([created, { type: 'TransportZoneDeleted', data: { id: 'z1' } }])
      .when({ type: 'DeleteTransportZone', id: 'z1', networksInZone: 0 })
      .thenThrows(NotFoundError);
  });
});
