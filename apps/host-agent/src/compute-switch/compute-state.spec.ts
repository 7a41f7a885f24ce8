import { DEFAULT_POLICY, type PortGroupConfig, type SwitchDesired } from '@vnet/contracts';
import { applySwitch, dcnPortsOn, managementVlan, placeManagement, portViews, realizeLogicalPorts, type RunningSwitch, unrealizedPorts, untouchedGroups } from './compute-state.js';

const pg = (id: string, vlanId: number, management = false, changedAtRevision = 1): PortGroupConfig => ({
  id, name: id, vlanId, management, policy: DEFAULT_POLICY, changedAtRevision,
});
const desired = (revision: number, portGroups: PortGroupConfig[]): SwitchDesired => ({
  id: 's1', name: 'dvs', revision, mtu: 1500, rollbackTimeoutMs: 30000, hostIds: ['h1'], portGroups, rollback: true,
});
const dcn = (id: string, portGroupId: string) => ({ id, portGroupId, connectee: { type: 'dcn' as const, dcnId: `d-${id}`, nicId: `n-${id}` } });

describe('applySwitch: the host applies only its port-level difference', () => {
  it('an unchanged port is not touched: it keeps its appliedAtRevision', () => {
    const first = applySwitch(null, desired(2, [pg('web', 10), pg('db', 20)]), [dcn('p1', 'web'), dcn('p2', 'db')]);
    expect(first.touched).toBe(2);
    const second = applySwitch(first.next, desired(3, [pg('web', 11, false, 3), pg('db', 20)]), [dcn('p1', 'web'), dcn('p2', 'db')]);
    expect(second.touched).toBe(1);
    const [p1, p2] = portViews(second.next);
    expect(p1).toMatchObject({ id: 'p1', vlanId: 11, appliedAtRevision: 3 });
    expect(p2).toMatchObject({ id: 'p2', vlanId: 20, appliedAtRevision: 2 });
    // No port itself changed: the running ports are kept as they are (and not written again).
    expect(second.next.ports).toBe(first.next.ports);
    expect(second.next.revision).toBe(3);
  });

  it('a change that touches no port keeps the port groups\' records too', () => {
    const first = applySwitch(null, desired(2, [pg('web', 10), pg('db', 20)]), [dcn('p1', 'web')]);
    const renamed = applySwitch(first.next, desired(3, [{ ...pg('web', 10, false, 3), name: 'frontend' }, pg('db', 20)]), [dcn('p1', 'web')]);
    expect(renamed.touched).toBe(0);
    expect(renamed.next.groupsAppliedAt).toBe(first.next.groupsAppliedAt);
    expect(renamed.next.ports).toBe(first.next.ports);
    expect(portViews(renamed.next)[0].appliedAtRevision).toBe(2);
  });

  it('a policy change touches the ports of that port group only', () => {
    const first = applySwitch(null, desired(1, [pg('web', 10), pg('db', 20)]), [dcn('p1', 'web'), dcn('p2', 'db')]);
    const promiscuous = { ...pg('web', 10, false, 2), policy: { ...DEFAULT_POLICY, security: { ...DEFAULT_POLICY.security, promiscuous: true } } };
    const second = applySwitch(first.next, desired(2, [promiscuous, pg('db', 20)]), [dcn('p1', 'web'), dcn('p2', 'db')]);
    expect(portViews(second.next).map((p) => p.appliedAtRevision)).toEqual([2, 1]);
  });

  it('removes ports no longer wanted, and does not realize a port whose port group is missing', () => {
    const first = applySwitch(null, desired(1, [pg('web', 10)]), [dcn('p1', 'web'), dcn('p2', 'nope')]);
    expect(first.next.ports.map((p) => p.id)).toEqual(['p1']);
    const second = applySwitch(first.next, desired(2, [pg('web', 10)]), []);
    expect(second.next.ports).toEqual([]);
    expect(second.touched).toBe(1);
  });

  it('compares VLAN and policy only for port groups changed since the running revision', () => {
    const first = applySwitch(null, desired(2, [pg('web', 10), pg('db', 20, false, 2)]), [dcn('p1', 'web'), dcn('p2', 'db')]);
    // Renamed only (changed at 3, same VLAN and policy): its ports stay untouched too.
    const renamed = { ...pg('db', 20, false, 3), name: 'database' };
    expect([...untouchedGroups(first.next, desired(3, [pg('web', 10), renamed]))]).toEqual(['web', 'db']);
    const vlan = desired(3, [pg('web', 10), pg('db', 21, false, 3)]);
    expect([...untouchedGroups(first.next, vlan)]).toEqual(['web']);
    const second = applySwitch(first.next, vlan, [dcn('p1', 'web'), dcn('p2', 'db')]);
    expect(second.touched).toBe(1);
    expect(second.next.ports[0]).toBe(first.next.ports[0]);
    expect(portViews(second.next)).toMatchObject([{ vlanId: 10, appliedAtRevision: 2 }, { vlanId: 21, appliedAtRevision: 3 }]);
  });

  it('a port moved to another port group, or given to another NIC, is touched', () => {
    const first = applySwitch(null, desired(1, [pg('web', 10), pg('db', 10)]), [dcn('p1', 'web')]);
    const moved = applySwitch(first.next, desired(1, [pg('web', 10), pg('db', 10)]), [dcn('p1', 'db')]);
    expect(moved.touched).toBe(1);
    expect(moved.next.ports[0]).toMatchObject({ portGroupId: 'db', appliedAtRevision: 1 });
    const later = applySwitch(moved.next, desired(4, [pg('web', 10), pg('db', 10)]), [dcn('p1', 'db'), dcn('p2', 'web')]);
    expect(later.touched).toBe(1);
    expect(portViews(later.next).map((p) => [p.id, p.appliedAtRevision])).toEqual([['p1', 1], ['p2', 4]]);
  });

  it('picks the DCN ports of one switch from the host ports', () => {
    const ports = [
      { id: 'a', dcnId: 'd', nicId: 'n1', network: { kind: 'port-group' as const, switchId: 's1', portGroupId: 'web' } },
      { id: 'b', dcnId: 'd', nicId: 'n2', network: { kind: 'port-group' as const, switchId: 's2', portGroupId: 'x' } },
      { id: 'c', dcnId: 'd', nicId: 'n3', network: { kind: 'logical' as const, logicalNetworkId: 'net' } },
    ];
    expect(dcnPortsOn('s1', ports).map((p) => p.id)).toEqual(['a']);
  });
});

describe('management port placement', () => {
  const sw = (id: string, groups: PortGroupConfig[]): RunningSwitch => ({ id, name: id, revision: 1, mtu: 1500, rollbackTimeoutMs: 30000, portGroups: groups, groupsAppliedAt: {}, ports: [] });

  it('sits on VLAN 0 until a management port group reaches the host, then on the newest one', () => {
    const switches = new Map([['s1', sw('s1', [pg('web', 10)])]]);
    expect(placeManagement(null, switches, { switchId: 's1', newPortGroupIds: new Set(['web']) })).toBeNull();
    expect(managementVlan(null, switches)).toBe(0);

    switches.set('s1', sw('s1', [pg('web', 10), pg('mgmt', 100, true)]));
    const placed = placeManagement(null, switches, { switchId: 's1', newPortGroupIds: new Set(['mgmt']) });
    expect(placed).toEqual({ switchId: 's1', portGroupId: 'mgmt' });
    expect(managementVlan(placed, switches)).toBe(100);

    switches.set('s2', sw('s2', [pg('mgmt2', 200, true)]));
    const moved = placeManagement(placed, switches, { switchId: 's2', newPortGroupIds: new Set(['mgmt2']) });
    expect(moved).toEqual({ switchId: 's2', portGroupId: 'mgmt2' });
    // An update of another switch does not move it back.
    expect(placeManagement(moved, switches, { switchId: 's1', newPortGroupIds: new Set() })).toEqual(moved);
    // Its switch gone: the remaining management port group holds it.
    switches.delete('s2');
    expect(placeManagement(moved, switches, null)).toEqual({ switchId: 's1', portGroupId: 'mgmt' });
  });
});

describe('realizeLogicalPorts', () => {
  it('realizes ports on networks the host holds, and names the others', () => {
    const desiredPorts = [
      { id: 'a', dcnId: 'd', nicId: 'n1', network: { kind: 'logical' as const, logicalNetworkId: 'held' } },
      { id: 'b', dcnId: 'd', nicId: 'n2', network: { kind: 'logical' as const, logicalNetworkId: 'absent' } },
    ];
    const { ports, missing } = realizeLogicalPorts([], desiredPorts, (id) => (id === 'held' ? 3 : undefined));
    expect(ports).toEqual([{ id: 'a', logicalNetworkId: 'held', connectee: { type: 'dcn', dcnId: 'd', nicId: 'n1' }, appliedAtRevision: 3 }]);
    expect(missing).toEqual(['b']);
    // Unchanged: the same object is kept.
    expect(realizeLogicalPorts(ports, desiredPorts, () => 4).ports[0]).toBe(ports[0]);
  });
});

describe('port realization decisions', () => {
  const switches = new Map([['s1', { portGroups: [pg('web', 10)] }]]);
  const port = (id: string, network: { kind: 'port-group'; switchId: string; portGroupId: string } | { kind: 'logical'; logicalNetworkId: string }) => ({ id, dcnId: 'd', nicId: `n-${id}`, network });

  it('realizes a port-group port only on a switch and port group the host runs, a logical port only on a held network', () => {
    const out = unrealizedPorts(
      [
        port('ok', { kind: 'port-group', switchId: 's1', portGroupId: 'web' }),
        port('no-pg', { kind: 'port-group', switchId: 's1', portGroupId: 'gone' }),
        port('no-sw', { kind: 'port-group', switchId: 's9', portGroupId: 'web' }),
        port('held', { kind: 'logical', logicalNetworkId: 'net-1' }),
        port('absent', { kind: 'logical', logicalNetworkId: 'net-2' }),
      ],
      switches,
      (id) => id === 'net-1',
    );
    expect(out.map((u) => u.id)).toEqual(['no-pg', 'no-sw', 'absent']);
    expect(out[0].reason).toContain('gone');
    expect(out[1].reason).toContain('s9');
    expect(out[2].reason).toContain('net-2');
  });
});
