import { InvalidDesiredStateError, parseNetworkEntry, parseTransportNodeEntry } from './desired-update.js';

const Z = '11111111-1111-4111-8111-111111111111';
const N = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const construct = { id: N, name: 'web', vni: 5001, mtu: 1500, transportZoneId: Z, revision: 3, owner: 'network-manager' };

describe('desired-state entries', () => {
  it('reads a network put as its construct, with only the contract fields', () => {
    expect(parseNetworkEntry(`${Z}.${N}`, 'PUT', () => ({ ...construct, extra: true }))).toEqual({ kind: 'network', construct });
  });

  it('reads a delete or purge of a network key as its removal from the zone', () => {
    expect(parseNetworkEntry(`${Z}.${N}`, 'DEL', () => null)).toEqual({ kind: 'network-removed', zoneId: Z, networkId: N });
    expect(parseNetworkEntry(`${Z}.${N}`, 'PURGE', () => null)).toEqual({ kind: 'network-removed', zoneId: Z, networkId: N });
  });

  it.each([
    ['a key that is not <zone>.<network>', 'nodot', construct],
    ['an id that does not match the key', `${Z}.${N}`, { ...construct, id: Z }],
    ['a zone that does not match the key', `${Z}.${N}`, { ...construct, transportZoneId: N }],
    ['a VNI out of range', `${Z}.${N}`, { ...construct, vni: 0 }],
    ['an MTU out of range', `${Z}.${N}`, { ...construct, mtu: 100 }],
    ['a revision that is not a positive integer', `${Z}.${N}`, { ...construct, revision: 1.5 }],
    ['another owner', `${Z}.${N}`, { ...construct, owner: 'compute-manager' }],
    ['a name that is not a string', `${Z}.${N}`, { ...construct, name: 7 }],
  ])('rejects %s', (_what, key, value) => {
    expect(() => parseNetworkEntry(key, 'PUT', () => value)).toThrow(InvalidDesiredStateError);
  });

  it('rejects a value that is not JSON', () => {
    expect(() =>
      parseNetworkEntry(`${Z}.${N}`, 'PUT', () => {
        throw new SyntaxError('bad');
      }),
    ).toThrow(/not JSON/);
  });

  it('reads a transport node as the host zones, none when deleted', () => {
    expect(parseTransportNodeEntry('host-1', 'PUT', () => ({ hostId: 'host-1', transportZoneIds: [Z, Z] }))).toEqual({
      kind: 'zones',
      zoneIds: [Z],
    });
    expect(parseTransportNodeEntry('host-1', 'DEL', () => null)).toEqual({ kind: 'zones', zoneIds: [] });
    expect(() => parseTransportNodeEntry('host-1', 'PUT', () => ({ hostId: 'host-2', transportZoneIds: [] }))).toThrow(
      /does not match/,
    );
    expect(() => parseTransportNodeEntry('host-1', 'PUT', () => ({ hostId: 'host-1', transportZoneIds: ['a.>'] }))).toThrow(
      /UUIDs/,
    );
  });
});
