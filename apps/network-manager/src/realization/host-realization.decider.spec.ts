import { deciderSpec } from '../../../../test/harness/decider-spec.js';
import { type HostRealizationEvent, hostRealizationDecider } from './host-realization.decider.js';

const spec = deciderSpec(hostRealizationDecider);
const first: HostRealizationEvent = {
  type: 'HostNetworksRealized',
  data: { hostId: 'h1', bootId: 'b1', seq: 1, realized: [{ id: 'n1', revision: 1 }, { id: 'n2', revision: 1 }], removed: [] },
};

describe('host realization decider', () => {
  it('records what a full report holds', () =>
    spec
      .given([])
      .when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 1, held: [{ id: 'n1', revision: 1 }, { id: 'n2', revision: 1 }], upserted: [], removed: [] })
      .then([first]));

  it('records only changes of a delta, and nothing for a report that changes nothing', () => {
    spec.given([first]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 2, upserted: [{ id: 'n1', revision: 2 }], removed: ['n2'] }).then([
      { type: 'HostNetworksRealized', data: { hostId: 'h1', bootId: 'b1', seq: 2, realized: [{ id: 'n1', revision: 2 }], removed: ['n2'] } },
    ]);
    spec.given([first]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 2, upserted: [{ id: 'n1', revision: 1 }], removed: [] }).then([]);
  });

  it('a full report drops what the host no longer holds', () =>
    spec.given([first]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b2', seq: 1, held: [{ id: 'n2', revision: 1 }], upserted: [], removed: [] }).then([
      { type: 'HostNetworksRealized', data: { hostId: 'h1', bootId: 'b2', seq: 1, realized: [], removed: ['n1'] } },
    ]));

  it('records the logical ports a host reports, when they change', () => {
    const ports = [{ id: 'p1', logicalNetworkId: 'n1', dcnId: 'd1' }];
    spec.given([first]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 2, upserted: [], removed: [], logicalPorts: ports }).then([
      { type: 'HostLogicalPortsReported', data: { hostId: 'h1', bootId: 'b1', seq: 2, ports } },
    ]);
    spec
      .given([first, { type: 'HostLogicalPortsReported', data: { hostId: 'h1', bootId: 'b1', seq: 2, ports } }])
      .when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 3, upserted: [], removed: [], logicalPorts: ports })
      .then([]);
  });

  it('ignores a report older than one applied in the same boot', () =>
    spec.given([first]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 1, upserted: [{ id: 'n9', revision: 1 }], removed: [] }).then([]));
});
