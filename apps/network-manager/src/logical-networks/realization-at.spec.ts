import type { HostRealizationEvent } from '../realization/host-realization.decider.js';
import { realizationOf } from './realization-at.js';

const at = { bootId: 'b1', seq: 1 };
const realized = (hostId: string, realized: Array<{ id: string; revision: number }>, removed: string[] = []): HostRealizationEvent => ({
  type: 'HostNetworksRealized',
  data: { hostId, ...at, realized, removed },
});
const ports = (hostId: string, list: Array<[string, string, string | null]>): HostRealizationEvent => ({
  type: 'HostLogicalPortsReported',
  data: { hostId, ...at, ports: list.map(([id, logicalNetworkId, dcnId]) => ({ id, logicalNetworkId, dcnId })) },
});

describe("realizationOf: a network's realizedOn and ports, folded from the hosts' reports", () => {
  it('lists the hosts that hold it and the ports reported on it, sorted like the read model', () => {
    const events = [
      realized('host-2', [{ id: 'n1', revision: 1 }, { id: 'n2', revision: 1 }]),
      realized('host-1', [{ id: 'n1', revision: 1 }]),
      realized('host-3', [{ id: 'n2', revision: 1 }]),
      ports('host-2', [['p9', 'n1', 'd1'], ['p1', 'n1', null], ['p5', 'n2', 'd2']]),
      ports('host-1', [['p3', 'n1', 'd3']]),
    ];
    expect(realizationOf('n1', events)).toEqual({
      realizedOn: ['host-1', 'host-2'],
      ports: [
        { hostId: 'host-1', portId: 'p3', dcnId: 'd3' },
        { hostId: 'host-2', portId: 'p1', dcnId: null },
        { hostId: 'host-2', portId: 'p9', dcnId: 'd1' },
      ],
    });
  });

  it('a later report replaces what a host said before: removed networks, replaced ports', () => {
    const events = [
      realized('host-1', [{ id: 'n1', revision: 1 }]),
      ports('host-1', [['p1', 'n1', 'd1']]),
      realized('host-1', [], ['n1']),
      ports('host-1', []),
    ];
    expect(realizationOf('n1', events)).toEqual({ realizedOn: [], ports: [] });
    expect(realizationOf('n1', events.slice(0, 2))).toEqual({ realizedOn: ['host-1'], ports: [{ hostId: 'host-1', portId: 'p1', dcnId: 'd1' }] });
  });
});
