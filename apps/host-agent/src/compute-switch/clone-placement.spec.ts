import { DEFAULT_POLICY } from '@vnet/contracts';
import type { RunningSwitch } from './compute-state.js';
import { carrierVlan, ManagementNotOnSwitchError, moveBack, moveBackFailed, placeClone, provesOriginal, withOverridesAndClone } from './clone-placement.js';

const sw: RunningSwitch = {
  id: 's1', name: 'dvs', revision: 7, mtu: 1500, rollbackTimeoutMs: 3000, groupsAppliedAt: {},
  portGroups: [{ id: 'mgmt', name: 'mgmt', vlanId: 40, management: true, policy: DEFAULT_POLICY, changedAtRevision: 7 }],
  ports: [{ id: 'mgmt-h1', portGroupId: 'mgmt', connectee: { type: 'management' }, appliedAtRevision: 5 }],
};
const switches = new Map([[sw.id, sw]]);
const place = { switchId: 's1', portGroupId: 'mgmt' };

describe('clone placement', () => {
  it('clones the management port where it is, on the VLAN given, remembering the revision last connected under', () => {
    expect(placeClone('h1', place, switches, 10, 5)).toEqual({
      switchId: 's1', portGroupId: 'mgmt', portId: 'mgmt-h1-clone', clonedFrom: 'mgmt-h1', vlanId: 10, revision: 7, lastConnectedRevision: 5, phase: 'carrying',
    });
  });

  it('refuses a management port that is on no switch', () => {
    expect(() => placeClone('h1', null, switches, 10, 5)).toThrow(ManagementNotOnSwitchError);
    expect(() => placeClone('h1', { switchId: 'gone', portGroupId: 'mgmt' }, switches, 10, 5)).toThrow(ManagementNotOnSwitchError);
  });

  it('the clone carries management until it moves back; the original carries it then', () => {
    const clone = placeClone('h1', place, switches, 10, 5);
    expect(carrierVlan(null, 40)).toBe(40);
    expect(carrierVlan(clone, 40)).toBe(10);
    const moving = moveBack({ ...clone, phase: 'repaired' }, 1000, 3000);
    expect(carrierVlan(moving, 10)).toBe(10);
    expect(moving).toMatchObject({ phase: 'moving-back', movedAt: 1000, deadline: 4000 });
    // Only a round trip sent after the move proves the original port.
    expect(provesOriginal(moving, 999)).toBe(false);
    expect(provesOriginal(moving, 1001)).toBe(true);
    expect(provesOriginal(clone, 1001)).toBe(false);
    const failed = moveBackFailed(moving, 10);
    expect(failed.phase).toBe('repaired');
    expect(failed.failure).toMatch(/no management round trip came back through port mgmt-h1 on VLAN 10 within 3000 ms/);
    expect(carrierVlan(failed, 10)).toBe(10);
  });

  it('shows an overridden port with its override VLAN, and the clone beside it', () => {
    const clone = placeClone('h1', place, switches, 10, 5);
    const ports = [{ id: 'mgmt-h1', portGroupId: 'mgmt', vlanId: 40, connectee: { type: 'management' as const }, appliedAtRevision: 5 }];
    const shown = withOverridesAndClone('s1', ports, [{ switchId: 's1', portId: 'mgmt-h1', vlanId: 10, fromRevision: 5 }], clone);
    expect(shown.map((p) => [p.id, p.vlanId, p.clonedFrom])).toEqual([
      ['mgmt-h1', 10, undefined],
      ['mgmt-h1-clone', 10, 'mgmt-h1'],
    ]);
    expect(withOverridesAndClone('s2', ports, undefined, clone)).toBe(ports);
  });
});
