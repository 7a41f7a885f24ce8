import { DEFAULT_POLICY } from '@vnet/contracts';
import { ConflictError, InvalidInputError, NotFoundError, VersionConflictError } from '@vnet/events';
import { deciderSpec } from '../../../../test/harness/decider-spec.js';
import { UnknownHostsError } from '../hosts/unknown-hosts.error.js';
import { type SwitchEvent, switchDecider } from './switch.decider.js';

const spec = deciderSpec(switchDecider);
const created: SwitchEvent = { type: 'SwitchCreated', data: { id: 's1', name: 'dvs', hostIds: ['h1', 'h2'], rollbackTimeoutMs: 30000, mtu: 1500, revision: 1 } };
const pg = { id: 'pg1', name: 'web', vlanId: 10, management: false, policy: DEFAULT_POLICY };
const pgAdded: SwitchEvent = { type: 'PortGroupAdded', data: { id: 's1', portGroup: pg, revision: 2 } };

describe('switch decider', () => {
  it('creates a switch at revision 1', () =>
    spec.given([]).when({ type: 'CreateSwitch', id: 's1', name: 'dvs', hostIds: ['h1', 'h2', 'h1'], rollbackTimeoutMs: 30000, mtu: 1500, unknownHostIds: [] }).then([created]));

  it('refuses host ids the compute manager does not know, naming each', () => {
    spec.given([]).when({ type: 'CreateSwitch', id: 's1', name: 'dvs', hostIds: ['h1', 'zz', 'yy'], rollbackTimeoutMs: 30000, mtu: 1500, unknownHostIds: ['zz', 'yy'] })
      .thenThrows(UnknownHostsError, /hosts zz, yy not found/);
    spec.given([created]).when({ type: 'AddSwitchHost', id: 's1', hostId: 'zz', hostKnown: false }).thenThrows(UnknownHostsError, /host zz not found/);
    expect(new UnknownHostsError(['zz', 'yy']).details).toEqual({ hostIds: ['zz', 'yy'] });
  });

  it('rejects a rollback timeout out of range', () =>
    spec.given([]).when({ type: 'CreateSwitch', id: 's1', name: 'dvs', hostIds: [], rollbackTimeoutMs: 999, mtu: 1500, unknownHostIds: [] }).thenThrows(InvalidInputError, /rollbackTimeoutMs/));

  it('every change is a new revision of the whole switch', () => {
    spec.given([created]).when({ type: 'AddPortGroup', id: 's1', portGroup: pg }).then([pgAdded]);
    spec.given([created, pgAdded]).when({ type: 'ReconfigurePortGroup', id: 's1', portGroupId: 'pg1', vlanId: 20 }).then([
      { type: 'PortGroupReconfigured', data: { id: 's1', portGroupId: 'pg1', vlanId: 20, revision: 3 } },
    ]);
    spec.given([created]).when({ type: 'AddSwitchHost', id: 's1', hostId: 'h3', hostKnown: true }).then([
      { type: 'SwitchHostAdded', data: { id: 's1', hostId: 'h3', revision: 2 } },
    ]);
  });

  it('a change that changes nothing records nothing', () => {
    spec.given([created, pgAdded]).when({ type: 'ReconfigurePortGroup', id: 's1', portGroupId: 'pg1', vlanId: 10, policy: DEFAULT_POLICY }).then([]);
    spec.given([created]).when({ type: 'AddSwitchHost', id: 's1', hostId: 'h1', hostKnown: true }).then([]);
  });

  it('refuses a stale If-Match, an unknown port group or switch, a duplicate port group', () => {
    spec.given([created, pgAdded]).when({ type: 'ReconfigurePortGroup', id: 's1', portGroupId: 'pg1', vlanId: 20, expectedRevision: 1 }).thenThrows(VersionConflictError);
    spec.given([created]).when({ type: 'ReconfigurePortGroup', id: 's1', portGroupId: 'nope', vlanId: 20 }).thenThrows(NotFoundError);
    spec.given([]).when({ type: 'AddSwitchHost', id: 's1', hostId: 'h1', hostKnown: true }).thenThrows(NotFoundError);
    spec.given([created, pgAdded]).when({ type: 'AddPortGroup', id: 's1', portGroup: pg }).thenThrows(ConflictError);
  });

  it('folds port groups with the revision they last changed at', () => {
    const state = [created, pgAdded, { type: 'PortGroupReconfigured', data: { id: 's1', portGroupId: 'pg1', vlanId: 30, revision: 3 } } as SwitchEvent].reduce(
      switchDecider.evolve,
      switchDecider.initialState(),
    );
    expect(state.revision).toBe(3);
    expect(state.portGroups).toEqual([{ ...pg, vlanId: 30, changedAtRevision: 3 }]);
  });

  describe('restoring an earlier state (rollback, snapshot, revert)', () => {
    const reconfigured: SwitchEvent = { type: 'PortGroupReconfigured', data: { id: 's1', portGroupId: 'pg1', vlanId: 20, revision: 3 } };
    const cause = { kind: 'rollback' as const, revision: 3, hostId: 'h2', reason: 'no management round trip within 30000 ms' };
    const restore = { type: 'RestoreSwitchState' as const, id: 's1', cause, unknownHostIds: [], hostIds: ['h1', 'h2'], portGroups: [pg] };

    it('puts members and port groups back whole, as a new revision that says why', () =>
      spec.given([created, pgAdded, reconfigured]).when(restore).then([
        { type: 'SwitchStateRestored', data: { id: 's1', revision: 4, hostIds: ['h1', 'h2'], portGroups: [pg], cause } },
      ]));

    it('records nothing when the switch already is in that state, whatever the key order of what is given', () => {
      const reordered = { policy: pg.policy, management: pg.management, vlanId: pg.vlanId, name: pg.name, id: pg.id };
      spec.given([created, pgAdded]).when({ ...restore, portGroups: [reordered] }).then([]);
    });

    it('refuses unknown members and an unknown switch', () => {
      spec.given([created, pgAdded]).when({ ...restore, hostIds: ['h1', 'zz'], unknownHostIds: ['zz'] }).thenThrows(UnknownHostsError);
      spec.given([]).when(restore).thenThrows(NotFoundError);
    });

    it('folds: a port group that comes back unchanged keeps its revision, a changed or new one gets the new revision', () => {
      const other = { ...pg, id: 'pg2', name: 'db', vlanId: 30 };
      const restored: SwitchEvent = { type: 'SwitchStateRestored', data: { id: 's1', revision: 4, hostIds: ['h1'], portGroups: [pg, other], cause } };
      const twoGroups: SwitchEvent = { type: 'PortGroupAdded', data: { id: 's1', portGroup: { ...pg, id: 'pg3', name: 'gone' }, revision: 3 } };
      const state = [created, pgAdded, twoGroups, restored].reduce(switchDecider.evolve, switchDecider.initialState());
      expect(state.revision).toBe(4);
      expect(state.hostIds).toEqual(['h1']);
      expect(state.portGroups).toEqual([{ ...pg, changedAtRevision: 2 }, { ...other, changedAtRevision: 4 }]);
      const back = [created, pgAdded, reconfigured, { ...restored, data: { ...restored.data, portGroups: [pg] } }].reduce(
        switchDecider.evolve,
        switchDecider.initialState(),
      );
      expect(back.portGroups).toEqual([{ ...pg, changedAtRevision: 4 }]);
    });
  });

  describe('restoring a snapshot', () => {
    const cause = { kind: 'snapshot' as const, snapshotId: 'snap-1' };
    const create = { name: 'dvs', rollbackTimeoutMs: 30000, mtu: 1500 };
    const restore = { type: 'RestoreSwitchState' as const, id: 's1', cause, unknownHostIds: [], hostIds: ['h1', 'h2', 'h1'], portGroups: [pg] };

    it('creates a switch that does not exist with its port groups at once: created, then restored', () =>
      spec.given([]).when({ ...restore, create }).then([
        { type: 'SwitchCreated', data: { id: 's1', name: 'dvs', hostIds: ['h1', 'h2'], rollbackTimeoutMs: 30000, mtu: 1500, revision: 1 } },
        { type: 'SwitchStateRestored', data: { id: 's1', revision: 2, hostIds: ['h1', 'h2'], portGroups: [pg], cause } },
      ]));

    it('a switch the database lost comes back above the revision its hosts may still hold', () => {
      const events = switchDecider.decide({ ...restore, create, revisionAbove: 7 }, switchDecider.initialState());
      expect(events.map((e) => [e.type, e.data.revision])).toEqual([['SwitchCreated', 1], ['SwitchStateRestored', 8]]);
      const state = events.reduce(switchDecider.evolve, switchDecider.initialState());
      expect(state).toMatchObject({ status: 'active', revision: 8, hostIds: ['h1', 'h2'], portGroups: [{ ...pg, changedAtRevision: 8 }] });
    });

    it('restores an existing switch as a plain restore, even when asked to create it', () =>
      spec.given([created]).when({ ...restore, create }).then([
        { type: 'SwitchStateRestored', data: { id: 's1', revision: 2, hostIds: ['h1', 'h2'], portGroups: [pg], cause } },
      ]));

    it('an unchanged switch records nothing, unless its revision must move above the one given', () => {
      spec.given([created, pgAdded]).when(restore).then([]);
      spec.given([created, pgAdded]).when({ ...restore, revisionAbove: 5 }).then([
        { type: 'SwitchStateRestored', data: { id: 's1', revision: 6, hostIds: ['h1', 'h2'], portGroups: [pg], cause } },
      ]);
    });

    it('refuses unknown hosts, a bad rollback timeout, port group ids given twice, and an unknown switch without create', () => {
      spec.given([]).when({ ...restore, create, unknownHostIds: ['h2'] }).thenThrows(UnknownHostsError, /host h2 not found/);
      spec.given([]).when({ ...restore, create: { ...create, rollbackTimeoutMs: 5 } }).thenThrows(InvalidInputError, /rollbackTimeoutMs/);
      spec.given([]).when({ ...restore, create, portGroups: [pg, pg] }).thenThrows(ConflictError, /pg1 is given more than once/);
      spec.given([created]).when({ ...restore, portGroups: [pg, pg] }).thenThrows(ConflictError);
      spec.given([]).when(restore).thenThrows(NotFoundError);
    });
  });
});
