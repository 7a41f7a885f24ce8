import type { DcnPortDesired, HostPortsDesired } from '@vnet/contracts';
import { portsApplied } from './ports-applied.js';

const onGroup = (id: string, portGroupId = 'web', nicId = `nic-${id}`): DcnPortDesired => ({
  id, dcnId: 'd1', nicId, network: { kind: 'port-group', switchId: 's1', portGroupId },
});
const onNetwork = (id: string, logicalNetworkId: string): DcnPortDesired => ({ id, dcnId: 'd1', nicId: `nic-${id}`, network: { kind: 'logical', logicalNetworkId } });
const desired = (revision: number, ports: DcnPortDesired[]): HostPortsDesired => ({ hostId: 'h1', revision, ports });

describe('portsApplied', () => {
  it('lists every port as added on the first revision', () => {
    expect(portsApplied(null, desired(1, [onGroup('a'), onGroup('b')]))).toEqual({
      type: 'PortsApplied',
      data: { revision: 1, added: ['a', 'b'], removed: [], changed: [] },
    });
  });

  it('tells added, removed and moved ports apart, and leaves out the untouched', () => {
    const before = desired(4, [onGroup('keep'), onGroup('move'), onGroup('renic'), onGroup('gone'), onNetwork('ln', 'n1')]);
    const next = desired(5, [onGroup('keep'), onGroup('move', 'db'), onGroup('renic', 'web', 'other'), onNetwork('ln', 'n2'), onGroup('new')]);
    expect(portsApplied(before, next).data).toEqual({ revision: 5, added: ['new'], removed: ['gone'], changed: ['move', 'renic', 'ln'] });
  });

  it('records a revision that changes no port (an override, opaque data) with empty lists', () => {
    expect(portsApplied(desired(1, [onGroup('a')]), desired(2, [onGroup('a')])).data).toEqual({ revision: 2, added: [], removed: [], changed: [] });
  });
});
