import type { OpaqueEntry } from '@vnet/contracts';
import { hostOpaqueView, type HostOpaqueSources } from './host-opaque-view.js';

const NS = 'acme.fw';
const entry = (type: OpaqueEntry['entity']['type'], id: string, key: string, valueJson: string, namespace = NS): OpaqueEntry => ({
  entity: { type, id },
  namespace,
  key,
  valueJson,
});

const sources = (over: Partial<HostOpaqueSources> = {}): HostOpaqueSources => ({
  hostId: 'host-1',
  switches: [
    {
      id: 'sw1',
      portGroupIds: ['pg1', 'pg2'],
      entries: [
        entry('switch', 'sw1', 'a', '"sw-a"'),
        entry('switch', 'sw1', 'b', '"sw-b"'),
        entry('switch', 'sw1', 'm', '1', 'acme.mon'),
        entry('port-group', 'pg1', 'b', '"pg1-b"'),
        entry('port-group', 'pg1', 'c', '"pg1-c"'),
      ],
    },
  ],
  ports: [
    { id: 'p1', dcnId: 'd1', nicId: 'n1', network: { kind: 'port-group', switchId: 'sw1', portGroupId: 'pg1' } },
    { id: 'p2', dcnId: 'd1', nicId: 'n2', network: { kind: 'logical', logicalNetworkId: 'ln1' } },
  ],
  entries: [entry('port', 'p1', 'c', '"p1-c"'), entry('port', 'p2', 'x', '12345678901234567890123'), entry('host', 'host-1', 'h', '{"z":1.0}')],
  ...over,
});

const sw = { type: 'switch', id: 'sw1' };
const pg1 = { type: 'port-group', id: 'pg1' };

describe('the effective opaque data a host serves its modules', () => {
  it('gives each entity its levels: switch, switch → port group, switch → port group → port, a logical port and the host alone', () => {
    expect(hostOpaqueView(sources(), NS)).toEqual([
      { entity: sw, key: 'a', valueJson: '"sw-a"' },
      { entity: sw, key: 'b', valueJson: '"sw-b"' },
      { entity: pg1, key: 'a', valueJson: '"sw-a"', inheritedFrom: sw },
      { entity: pg1, key: 'b', valueJson: '"pg1-b"' },
      { entity: pg1, key: 'c', valueJson: '"pg1-c"' },
      { entity: { type: 'port-group', id: 'pg2' }, key: 'a', valueJson: '"sw-a"', inheritedFrom: sw },
      { entity: { type: 'port-group', id: 'pg2' }, key: 'b', valueJson: '"sw-b"', inheritedFrom: sw },
      { entity: { type: 'port', id: 'p1' }, key: 'a', valueJson: '"sw-a"', inheritedFrom: sw },
      { entity: { type: 'port', id: 'p1' }, key: 'b', valueJson: '"pg1-b"', inheritedFrom: pg1 },
      { entity: { type: 'port', id: 'p1' }, key: 'c', valueJson: '"p1-c"' },
      // A logical network's port inherits nothing.
      { entity: { type: 'port', id: 'p2' }, key: 'x', valueJson: '12345678901234567890123' },
      { entity: { type: 'host', id: 'host-1' }, key: 'h', valueJson: '{"z":1.0}' },
    ]);
  });

  it('serves one namespace only', () => {
    expect(hostOpaqueView(sources(), 'acme.mon')).toEqual([
      { entity: sw, key: 'm', valueJson: '1' },
      { entity: pg1, key: 'm', valueJson: '1', inheritedFrom: sw },
      { entity: { type: 'port-group', id: 'pg2' }, key: 'm', valueJson: '1', inheritedFrom: sw },
      { entity: { type: 'port', id: 'p1' }, key: 'm', valueJson: '1', inheritedFrom: sw },
    ]);
    expect(hostOpaqueView(sources(), 'acme.none')).toEqual([]);
  });

  it('shows the inherited value again once the lower entry is gone', () => {
    const without = sources();
    without.switches = [{ ...without.switches[0], entries: without.switches[0].entries.filter((e) => !(e.entity.type === 'port-group' && e.key === 'b')) }];
    const p1b = hostOpaqueView(without, NS).find((e) => e.entity.id === 'p1' && e.key === 'b');
    expect(p1b).toEqual({ entity: { type: 'port', id: 'p1' }, key: 'b', valueJson: '"sw-b"', inheritedFrom: sw });
  });

  it("gives a port of a switch the host does not run its own entries only", () => {
    const view = hostOpaqueView(sources({ switches: [] }), NS);
    expect(view).toEqual([
      { entity: { type: 'port', id: 'p1' }, key: 'c', valueJson: '"p1-c"' },
      { entity: { type: 'port', id: 'p2' }, key: 'x', valueJson: '12345678901234567890123' },
      { entity: { type: 'host', id: 'host-1' }, key: 'h', valueJson: '{"z":1.0}' },
    ]);
  });
});
