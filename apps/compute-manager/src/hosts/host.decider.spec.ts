import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { deciderSpec } from '../../../../test/harness/decider-spec.js';
import { type HostEvent, hostDecider } from './host.decider.js';

const spec = deciderSpec(hostDecider);
const net = (id: string, revision = 1): LogicalNetworkConstruct => ({
  id, name: `n-${id}`, vni: 5000, mtu: 1500, transportZoneId: 'z', revision, owner: 'network-manager',
});
const reported: HostEvent = {
  type: 'HostNetworksReported',
  data: { hostId: 'h1', bootId: 'b1', seq: 1, upserted: [net('a'), net('b')], removed: [] },
};

describe('host decider (compute manager)', () => {
  it('adds a host once', () => {
    spec.given([]).when({ type: 'AddHost', hostId: 'h1' }).then([{ type: 'HostAdded', data: { hostId: 'h1' } }]);
    spec.given([{ type: 'HostAdded', data: { hostId: 'h1' } }]).when({ type: 'AddHost', hostId: 'h1' }).then([]);
  });

  it('learns constructs from a report, and only what changed', () => {
    spec.given([]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 1, upserted: [net('a'), net('b')], removed: [] }).then([
      { type: 'HostDiscovered', data: { hostId: 'h1', bootId: 'b1' } },
      reported,
    ]);
    spec.given([]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 1, held: [], upserted: [], removed: [] }).then([
      { type: 'HostDiscovered', data: { hostId: 'h1', bootId: 'b1' } },
    ]);
    spec.given([reported]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 2, upserted: [net('a'), net('b', 2)], removed: [] }).then([
      { type: 'HostNetworksReported', data: { hostId: 'h1', bootId: 'b1', seq: 2, upserted: [net('b', 2)], removed: [] } },
    ]);
  });

  it('a full report forgets what the host no longer holds', () =>
    spec.given([reported]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b2', seq: 1, held: [{ id: 'b', revision: 1 }], upserted: [], removed: [] }).then([
      { type: 'HostNetworksReported', data: { hostId: 'h1', bootId: 'b2', seq: 1, upserted: [], removed: ['a'] } },
    ]));

  it('ignores a stale report of the same boot', () =>
    spec.given([reported]).when({ type: 'ApplyHostReport', hostId: 'h1', bootId: 'b1', seq: 1, upserted: [net('c')], removed: [] }).then([]));

  it('records a port override once, and again only when it changes', () => {
    const override = { switchId: 's1', portId: 'mgmt-h1', vlanId: 10, fromRevision: 3 };
    const overridden: HostEvent = { type: 'HostPortOverridden', data: { hostId: 'h1', ...override, reason: 'clone' } };
    spec.given([]).when({ type: 'OverrideHostPort', hostId: 'h1', reason: 'clone', ...override }).then([overridden]);
    spec.given([overridden]).when({ type: 'OverrideHostPort', hostId: 'h1', reason: 'asked again', ...override }).then([]);
    spec.given([overridden]).when({ type: 'OverrideHostPort', hostId: 'h1', reason: 'clone', ...override, vlanId: 11, fromRevision: 5 }).then([
      { type: 'HostPortOverridden', data: { hostId: 'h1', ...override, vlanId: 11, fromRevision: 5, reason: 'clone' } },
    ]);
    const state = [overridden].reduce(hostDecider.evolve, hostDecider.initialState());
    expect(state.overrides).toEqual({ 's1/mgmt-h1': override });
  });

  it("clears a host's overrides of one switch, and records nothing when it has none", () => {
    const on = (switchId: string): HostEvent => ({ type: 'HostPortOverridden', data: { hostId: 'h1', switchId, portId: 'mgmt-h1', vlanId: 10, fromRevision: 3, reason: 'clone' } });
    const clear = { type: 'ClearHostPortOverrides' as const, hostId: 'h1', switchId: 's1', reason: 'port group changed' };
    spec.given([on('s1'), on('s2')]).when(clear).then([{ type: 'HostPortOverridesCleared', data: { hostId: 'h1', switchId: 's1', reason: 'port group changed' } }]);
    spec.given([on('s2')]).when(clear).then([]);
    const state = [on('s1'), on('s2'), { type: 'HostPortOverridesCleared', data: { hostId: 'h1', switchId: 's1', reason: 'x' } } as HostEvent].reduce(
      hostDecider.evolve,
      hostDecider.initialState(),
    );
    expect(Object.keys(state.overrides)).toEqual(['s2/mgmt-h1']);
  });
  it("records a host's revoked credentials once: revoking them again records nothing, another user of the host is new", () => {
    const revoke = { type: 'RecordCredentialsRevoked' as const, hostId: 'h1', userKey: 'UAAA', revokedAt: '2026-01-01T00:00:00.000Z' };
    const revoked: HostEvent = { type: 'HostCredentialsRevoked', data: { hostId: 'h1', userKey: 'UAAA', revokedAt: '2026-01-01T00:00:00.000Z' } };
    spec.given([]).when(revoke).then([revoked]);
    spec.given([revoked]).when({ ...revoke, revokedAt: '2026-01-02T00:00:00.000Z' }).then([]);
    spec.given([revoked]).when({ ...revoke, userKey: 'UBBB' }).then([{ type: 'HostCredentialsRevoked', data: { ...revoked.data, userKey: 'UBBB' } }]);
    // A state stored before revocations existed has none.
    const { revokedCredentials: _r, ...older } = hostDecider.initialState();
    expect(hostDecider.decide(revoke, older)).toEqual([revoked]);
    expect(hostDecider.evolve(older, revoked).revokedCredentials).toEqual({ UAAA: '2026-01-01T00:00:00.000Z' });
  });
});

