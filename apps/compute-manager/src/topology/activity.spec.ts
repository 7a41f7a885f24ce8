import { activityOf } from './activity.js';

const at = new Date('2026-03-01T10:00:00.000Z');

describe('activity', () => {
  it("is a host's rollback of a switch, naming the host, the revision and why", () => {
    const entry = activityOf({
      id: 'e1',
      type: 'SwitchStateRestored',
      recordedAt: at,
      data: { id: 's1', revision: 4, hostIds: [], portGroups: [], cause: { kind: 'rollback', revision: 3, hostId: 'h2', reason: 'no management round trip' } },
    });
    expect(entry).toEqual({
      id: 'e1',
      at: '2026-03-01T10:00:00.000Z',
      kind: 'rollback',
      hostId: 'h2',
      switchId: 's1',
      summary: 'host h2 rolled back revision 3: no management round trip; the switch is back as revision 4',
    });
  });

  it('is a revert or a restore from a snapshot', () => {
    const revert = activityOf({ id: 'e2', type: 'SwitchStateRestored', recordedAt: at, data: { id: 's1', revision: 5, cause: { kind: 'revert', toPosition: 17 } } });
    expect(revert).toMatchObject({ kind: 'revert', hostId: null, switchId: 's1' });
    const restore = activityOf({ id: 'e3', type: 'SwitchStateRestored', recordedAt: at, data: { id: 's1', revision: 6, cause: { kind: 'snapshot', snapshotId: 'snap' } } });
    expect(restore).toMatchObject({ kind: 'snapshot-restore', summary: 'restored from snapshot snap as revision 6' });
  });

  it('is a management repair and its lapse', () => {
    const repair = activityOf({
      id: 'e4',
      type: 'HostPortOverridden',
      recordedAt: at,
      data: { hostId: 'h1', switchId: 's1', portId: 'vmk0', vlanId: 10, fromRevision: 2, reason: 'back through a clone' },
    });
    expect(repair).toMatchObject({ kind: 'management-repair', hostId: 'h1', switchId: 's1', summary: 'management port vmk0 of host h1 put back on VLAN 10: back through a clone' });
    const lapsed = activityOf({ id: 'e5', type: 'HostPortOverridesCleared', recordedAt: at, data: { hostId: 'h1', switchId: 's1', reason: 'host reconnected' } });
    expect(lapsed).toMatchObject({ kind: 'repair-cleared', hostId: 'h1' });
  });

  it('is nothing else', () => {
    expect(activityOf({ id: 'e6', type: 'PortGroupReconfigured', recordedAt: at, data: {} })).toBeNull();
  });
});
