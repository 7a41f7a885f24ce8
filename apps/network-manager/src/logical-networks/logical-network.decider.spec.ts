import { ConflictError, InvalidInputError, NotFoundError, VersionConflictError } from '@vnet/events';
import { deciderSpec } from '../../../../test/harness/decider-spec.js';
import { type LogicalNetworkEvent, logicalNetworkDecider } from './logical-network.decider.js';

const spec = deciderSpec(logicalNetworkDecider);
const fields = { id: 'n1', name: 'web', vni: 5001, mtu: 1500, transportZoneId: 'z1' };
const created: LogicalNetworkEvent = { type: 'LogicalNetworkCreated', data: { ...fields, revision: 1 } };

describe('logical network decider', () => {
  it('creates a network at revision 1', () => spec.given([]).when({ type: 'CreateLogicalNetwork', ...fields }).then([created]));

  it('rejects an out-of-range VNI or MTU, naming the field', () => {
    spec.given([]).when({ type: 'CreateLogicalNetwork', ...fields, vni: 16777216 }).thenThrows(InvalidInputError, /vni/);
    spec.given([]).when({ type: 'CreateLogicalNetwork', ...fields, mtu: 500 }).thenThrows(InvalidInputError, /mtu/);
  });

  it('bumps the revision on every change, and only on a change', () => {
    spec.given([created]).when({ type: 'UpdateLogicalNetwork', id: 'n1', mtu: 9000 }).then([
      { type: 'LogicalNetworkUpdated', data: { id: 'n1', revision: 2, mtu: 9000 } },
    ]);
    spec.given([created]).when({ type: 'UpdateLogicalNetwork', id: 'n1', name: 'web', mtu: 1500 }).then([]);
    spec
      .given([created, { type: 'LogicalNetworkUpdated', data: { id: 'n1', revision: 2, mtu: 9000 } }])
      .when({ type: 'UpdateLogicalNetwork', id: 'n1', name: 'frontend' })
      .then([{ type: 'LogicalNetworkUpdated', data: { id: 'n1', revision: 3, name: 'frontend' } }]);
  });

  it('refuses a stale If-Match revision', () =>
    spec.given([created]).when({ type: 'UpdateLogicalNetwork', id: 'n1', mtu: 9000, expectedRevision: 3 }).thenThrows(VersionConflictError));

  it('refuses to delete a network with logical ports (NETWORK_IN_USE), deletes it otherwise', () => {
    spec.given([created]).when({ type: 'DeleteLogicalNetwork', id: 'n1', portsOnNetwork: 1 }).thenThrows(ConflictError, /logical port/);
    spec.given([created]).when({ type: 'DeleteLogicalNetwork', id: 'n1', portsOnNetwork: 0 }).then([
      { type: 'LogicalNetworkDeleted', data: { id: 'n1', transportZoneId: 'z1', vni: 5001 } },
    ]);
  });

  it('does not know an unknown or deleted network', () => {
    spec.given([]).when({ type: 'UpdateLogicalNetwork', id: 'n1', mtu: 9000 }).thenThrows(NotFoundError);
    spec
      .given([created, { type: 'LogicalNetworkDeleted', data: { id: 'n1', transportZoneId: 'z1', vni: 5001 } }])
      .when({ type: 'DeleteLogicalNetwork', id: 'n1', portsOnNetwork: 0 })
      .thenThrows(NotFoundError);
  });
});
