import { DEFAULT_POLICY } from '@vnet/contracts';
import { restoreTo } from './switch-history.js';
import { type SwitchEvent, switchDecider, type SwitchState } from './switch.decider.js';

const fold = (events: SwitchEvent[], from: SwitchState = switchDecider.initialState()) => events.reduce(switchDecider.evolve, from);
/** What a reader of the switch sees: everything but the revisions. */
const seen = ({ revision: _r, rollback: _b, portGroups, ...rest }: SwitchState) => ({ ...rest, portGroups: portGroups.map(({ changedAtRevision: _c, ...pg }) => pg) });

const pg = (id: string, vlanId: number) => ({ id, name: id, vlanId, management: false, policy: DEFAULT_POLICY });
const opaque = (entityId: string, type: 'switch' | 'port-group', valueJson: string, revision: number): SwitchEvent => ({
  type: 'OpaqueDataPut',
  data: { id: 's1', revision, entity: { type, id: entityId }, namespace: 'com.acme', key: 'tag', extensionKey: 'acme', valueJson },
});
const history: SwitchEvent[] = [
  { type: 'SwitchCreated', data: { id: 's1', name: 'dvs', hostIds: ['h1'], rollbackTimeoutMs: 5000, mtu: 9000, revision: 1 } },
  { type: 'PortGroupAdded', data: { id: 's1', portGroup: pg('pg1', 10), revision: 2 } },
  opaque('s1', 'switch', '"blue"', 3),
  opaque('pg1', 'port-group', '1', 4),
];
const later: SwitchEvent[] = [
  { type: 'SwitchHostAdded', data: { id: 's1', hostId: 'h2', revision: 5 } },
  { type: 'PortGroupReconfigured', data: { id: 's1', portGroupId: 'pg1', vlanId: 20, revision: 6 } },
  { type: 'PortGroupAdded', data: { id: 's1', portGroup: pg('pg2', 30), revision: 7 } },
  opaque('s1', 'switch', '"red"', 8),
  opaque('pg2', 'port-group', '2', 9),
];

describe('restoreTo: the restore that makes a switch equal to an earlier state of it', () => {
  const past = fold(history);
  const now = fold(later, past);
  const revert = restoreTo(past, { kind: 'revert', toPosition: 42 }, []);

  it('puts back members, port groups and opaque data, as one new revision that names the position', () => {
    const events = switchDecider.decide(revert, now);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'SwitchStateRestored', data: { revision: 10, cause: { kind: 'revert', toPosition: 42 } } });
    const after = fold(events, now);
    expect(seen(after)).toEqual(seen(past));
    expect(after).toMatchObject({ name: 'dvs', mtu: 9000, rollbackTimeoutMs: 5000, hostIds: ['h1'], revision: 10 });
  });

  it('records nothing when the switch already has that state', () => {
    expect(switchDecider.decide(revert, past)).toEqual([]);
    const reverted = fold(switchDecider.decide(revert, now), now);
    expect(switchDecider.decide(revert, reverted)).toEqual([]);
  });

  it('a state with nothing on it yet empties what came later', () => {
    const bare = fold(history.slice(0, 1));
    const after = fold(switchDecider.decide(restoreTo(bare, { kind: 'revert', toPosition: 1 }, []), now), now);
    expect(seen(after)).toEqual(seen(bare));
    expect(after.opaque).toEqual({});
  });
});
