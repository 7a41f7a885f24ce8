import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { ConstructCatalog } from './construct-catalog.js';

const net = (revision: number, name = 'n'): LogicalNetworkConstruct => ({
  id: 'a',
  name,
  vni: 10,
  mtu: 1500,
  transportZoneId: 'z',
  revision,
  owner: 'network-manager',
});

describe('construct catalog', () => {
  it('returns the object it knows for an equal construct, the new one for a new revision', () => {
    const catalog = new ConstructCatalog();
    const first = catalog.intern(net(1));
    expect(catalog.intern(net(1))).toBe(first);
    const second = catalog.intern(net(2));
    expect(second).not.toBe(first);
    expect(catalog.intern(net(2))).toBe(second);
    // An older revision is not shared, and does not replace the newer one.
    const old = net(1);
    expect(catalog.intern(old)).toBe(old);
    expect(catalog.intern(net(2))).toBe(second);
  });

  it('encodes a construct once, fields in the contract order', () => {
    const catalog = new ConstructCatalog();
    const c = {
      owner: 'network-manager',
      revision: 1,
      transportZoneId: 'z',
      mtu: 1500,
      vni: 10,
      name: 'n',
      id: 'a',
    } as LogicalNetworkConstruct;
    const json = catalog.encode(c);
    expect(json).toBe('{"id":"a","name":"n","vni":10,"mtu":1500,"transportZoneId":"z","revision":1,"owner":"network-manager"}');
    expect(catalog.encode(c)).toBe(json);
  });
});
