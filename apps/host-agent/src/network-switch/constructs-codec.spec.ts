import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { JOURNAL_NS } from '../audit/host-journal.js';
import { JSON_CODEC } from '../store/store-state.js';
import { ConstructCatalog } from './construct-catalog.js';
import { constructsCodec } from './constructs-codec.js';
import { CONSTRUCTS_NS } from './network-switch.js';

const net = (revision: number): LogicalNetworkConstruct => ({
  id: 'a',
  name: 'n',
  vni: 10,
  mtu: 1500,
  transportZoneId: 'z',
  revision,
  owner: 'network-manager',
});
const text = (line: string | Uint8Array) => (typeof line === 'string' ? line : Buffer.from(line).toString('utf8'));

describe('constructs codec', () => {
  it('gives every host the same journal data for the same construct revision, a new one for a new revision', () => {
    const catalog = new ConstructCatalog();
    const c1 = catalog.intern(net(1));
    expect(catalog.appliedData(c1)).toBe(catalog.appliedData(catalog.intern(net(1))));
    expect(catalog.appliedData(c1)).toEqual({ networkId: 'a', revision: 1, transportZoneId: 'z' });
    const c2 = catalog.intern(net(2));
    expect(catalog.appliedData(c2)).toEqual({ networkId: 'a', revision: 2, transportZoneId: 'z' });
  });

  it('writes a journal entry of a taken construct exactly as plain JSON would', () => {
    const catalog = new ConstructCatalog();
    const codec = constructsCodec(catalog);
    const entry = { type: 'ConstructApplied', data: catalog.appliedData(catalog.intern(net(3))), at: 1764000000123 };
    expect(text(codec.encodePut(JOURNAL_NS, '42', entry))).toBe(text(JSON_CODEC.encodePut(JOURNAL_NS, '42', entry)));
    // Data the catalog did not make (and any other entry) is plain JSON too.
    const other = { type: 'ConstructApplied', data: { networkId: 'b', revision: 1, transportZoneId: 'z' }, at: 5 };
    expect(text(codec.encodePut(JOURNAL_NS, '43', other))).toBe(text(JSON_CODEC.encodePut(JOURNAL_NS, '43', other)));
    const removed = { type: 'ConstructRemoved', data: { networkId: 'a', revision: 3 }, at: 6 };
    expect(text(codec.encodePut(JOURNAL_NS, '44', removed))).toBe(text(JSON_CODEC.encodePut(JOURNAL_NS, '44', removed)));
  });

  it('reads a journal back sharing the data of the constructs the catalog holds', () => {
    const catalog = new ConstructCatalog();
    const codec = constructsCodec(catalog);
    const held = codec.revive(CONSTRUCTS_NS, 'a', net(2)) as LogicalNetworkConstruct;
    const read = (revision: number) =>
      codec.revive(JOURNAL_NS, '1', {
        type: 'ConstructApplied',
        data: { networkId: 'a', revision, transportZoneId: 'z' },
        at: 1,
      }) as {
        data: object;
      };
    expect(read(2).data).toBe(catalog.appliedData(held));
    // An older revision's entry keeps its own data.
    expect(read(1).data).not.toBe(catalog.appliedData(held));
    expect(read(1).data).toEqual({ networkId: 'a', revision: 1, transportZoneId: 'z' });
  });
});
