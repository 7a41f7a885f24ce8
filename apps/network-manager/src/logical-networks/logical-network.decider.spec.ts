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

  describe('reverting to a position of the log', () => {
    const renamed: LogicalNetworkEvent = { type: 'LogicalNetworkUpdated', data: { id: 'n1', revision: 2, name: 'frontend', mtu: 9000 } };
    const at = (events: LogicalNetworkEvent[]) => events.reduce(logicalNetworkDecider.evolve, logicalNetworkDecider.initialState());
    const revert = (past: LogicalNetworkEvent[], toPosition = 7) => ({ type: 'RevertLogicalNetwork' as const, id: 'n1', toPosition, past: at(past) });
    const reverted: LogicalNetworkEvent = { type: 'LogicalNetworkReverted', data: { id: 'n1', revision: 3, name: 'web', mtu: 1500, toPosition: 7 } };

    it('puts name and MTU back as they were, as a new revision that names the position', () => {
      spec.given([created, renamed]).when(revert([created])).then([reverted]);
      expect(at([created, renamed, reverted]).network).toEqual({ ...fields, revision: 3 });
    });

    it('records nothing when the network already is as it was then', () => {
      spec.given([created, renamed, reverted]).when(revert([created])).then([]);
      spec.given([created, renamed]).when(revert([created, renamed])).then([]);
    });

    it('refuses a position before the network existed (NOT_YET_CREATED), and an unknown or deleted network', () => {
      spec.given([created, renamed]).when(revert([])).thenThrows(ConflictError, /did not exist yet at position 7/);
      spec.given([]).when(revert([])).thenThrows(NotFoundError);
      spec
        .given([created, { type: 'LogicalNetworkDeleted', data: { id: 'n1', transportZoneId: 'z1', vni: 5001 } }])
        .when(revert([created]))
        .thenThrows(NotFoundError);
    });
  });
});
