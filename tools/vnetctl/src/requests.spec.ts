import { UsageError } from './errors.js';
import { queryString } from './http-client.js';
import {
  allowedVlans,
  entityRef,
  eventsQuery,
  ifMatch,
  integer,
  list,
  managerOf,
  moduleDataBody,
  networkChange,
  newPortGroupBody,
  nicBody,
  opaqueValueBody,
  portGroupChange,
  restoreTarget,
} from './requests.js';

describe('options to requests', () => {
  it('reads integers and refuses anything else, naming the option', () => {
    expect(integer('--vlan', '100')).toBe(100);
    expect(() => integer('--vlan', '10x')).toThrow(new UsageError('--vlan must be an integer, not "10x"'));
  });

  it('reads lists given once comma-separated or as several values', () => {
    expect(list('host-1, host-2,')).toEqual(['host-1', 'host-2']);
    expect(list(['host-1', 'host-2,host-3'])).toEqual(['host-1', 'host-2', 'host-3']);
    expect(list(undefined)).toEqual([]);
  });

  it('maps the uplink\'s "all" to the empty list, and lists to VLAN ids', () => {
    expect(allowedVlans('all')).toEqual([]);
    expect(allowedVlans('0,100')).toEqual([0, 100]);
    expect(() => allowedVlans(',')).toThrow(UsageError);
    expect(() => allowedVlans('web')).toThrow(UsageError);
  });

  it('builds port group bodies, leaving ranges to the service', () => {
    expect(newPortGroupBody('web', { vlan: '100' })).toEqual({ name: 'web', vlanId: 100 });
    expect(newPortGroupBody('mgmt', { vlan: '5000', management: true, policy: '{"teaming":{"policy":"failover"}}' })).toEqual({
      name: 'mgmt',
      vlanId: 5000,
      management: true,
      policy: { teaming: { policy: 'failover' } },
    });
    expect(() => newPortGroupBody('web', {})).toThrow('--vlan is required');
    expect(() => newPortGroupBody('web', { vlan: '1', policy: '[1]' })).toThrow('--policy must be a JSON object');
    expect(portGroupChange({ vlan: '200' })).toEqual({ vlanId: 200 });
    expect(() => portGroupChange({})).toThrow(UsageError);
  });

  it('builds a network change and If-Match', () => {
    expect(networkChange({ mtu: '9000' })).toEqual({ mtu: 9000 });
    expect(networkChange({ name: 'web' })).toEqual({ name: 'web' });
    expect(() => networkChange({})).toThrow(UsageError);
    expect(ifMatch(undefined)).toEqual({});
    expect(ifMatch('3')).toEqual({ 'if-match': '3' });
  });

  it('attaches a NIC to exactly one of a network and a port group', () => {
    expect(nicBody({ network: 'n' })).toEqual({ logicalNetworkId: 'n' });
    expect(nicBody({ portGroup: 'p' })).toEqual({ portGroupId: 'p' });
    expect(() => nicBody({})).toThrow(UsageError);
    expect(() => nicBody({ network: 'n', portGroup: 'p' })).toThrow(UsageError);
  });

  it('builds each restore target, refusing the options its mode does not take', () => {
    expect(restoreTarget({})).toEqual({ mode: 'same' });
    expect(restoreTarget({ mode: 'new', name: 'copy' })).toEqual({ mode: 'new', name: 'copy' });
    expect(restoreTarget({ mode: 'new', name: 'copy', hosts: ['host-1,host-2'] })).toEqual({
      mode: 'new',
      name: 'copy',
      hostIds: ['host-1', 'host-2'],
    });
    expect(restoreTarget({ mode: 'existing', switch: 's' })).toEqual({ mode: 'existing', switchId: 's' });
    expect(() => restoreTarget({ mode: 'new' })).toThrow('--mode new needs --name');
    expect(() => restoreTarget({ mode: 'existing' })).toThrow('--mode existing needs --switch');
    expect(() => restoreTarget({ mode: 'same', name: 'x' })).toThrow('--name does not go with --mode same');
    expect(() => restoreTarget({ mode: 'existing', switch: 's', hosts: 'h' })).toThrow(
      '--hosts does not go with --mode existing',
    );
    expect(() => restoreTarget({ mode: 'other' })).toThrow(UsageError);
  });

  it('maps the audit filters to the query of /events, leaving out the ones not given', () => {
    const q = eventsQuery({
      streamId: 's',
      type: 'T',
      correlationId: 'c',
      actor: 'alice',
      from: '2026-01-01T00:00:00Z',
      limit: '5',
    });
    expect(queryString(q)).toBe('?limit=5&streamId=s&type=T&correlationId=c&actor=alice&from=2026-01-01T00%3A00%3A00Z');
    expect(queryString(eventsQuery({}))).toBe('');
    expect(managerOf('network')).toBe('network-manager');
    expect(managerOf('compute-manager')).toBe('compute-manager');
    expect(() => managerOf('agent')).toThrow(UsageError);
  });

  it('passes opaque values through as their JSON text', () => {
    expect(opaqueValueBody('12345678901234567890')).toBe('{"value":12345678901234567890}');
    expect(() => opaqueValueBody('gold')).toThrow(UsageError);
    expect(entityRef('port-group:9d2e')).toEqual({ type: 'port-group', id: '9d2e' });
    expect(() => entityRef('host')).toThrow(UsageError);
    expect(moduleDataBody('host:host-1', 'load', '{"cpu":0.4}')).toBe(
      '{"entity":{"type":"host","id":"host-1"},"key":"load","value":{"cpu":0.4}}',
    );
  });
});
