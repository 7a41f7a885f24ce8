import { DEFAULT_POLICY } from '@vnet/contracts';
import { InvalidInputError } from '@vnet/events';
import { planRestore, restoreTarget } from './restore-plan.js';
import { snapshotDocument } from './snapshot-document.js';

const doc = snapshotDocument(
  'snap',
  new Date('2026-01-01T00:00:00Z'),
  {
    id: 'sw',
    name: 'dvs',
    revision: 3,
    mtu: 9000,
    rollbackTimeoutMs: 5000,
    hostIds: ['host-1', 'host-2'],
    portGroups: [
      { id: 'pg-a', name: 'web', vlanId: 10, management: false, policy: DEFAULT_POLICY },
      { id: 'pg-b', name: 'db', vlanId: 20, management: false, policy: DEFAULT_POLICY },
    ],
  },
  [
    { entity: { type: 'switch', id: 'sw' }, namespace: 'com.acme.x', key: 'k', valueJson: '1.0' },
    { entity: { type: 'port-group', id: 'pg-b' }, namespace: 'com.acme.x', key: 'k', valueJson: '{"a":1e-400}' },
  ],
);
const NS = 'com.acme.x';
const counter = () => {
  let n = 0;
  return () => `id-${++n}`;
};

/** The fields a target is refused for. */
function refused(input: Parameters<typeof restoreTarget>[0]): Record<string, string> {
  try {
    restoreTarget(input);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as InvalidInputError).fields;
  }
  throw new Error('target accepted');
}

describe('restore target', () => {
  it('takes each mode with what it needs', () => {
    expect(restoreTarget({ mode: 'same' })).toEqual({ mode: 'same' });
    expect(restoreTarget({ mode: 'new', name: 'copy' })).toEqual({ mode: 'new', name: 'copy' });
    expect(restoreTarget({ mode: 'new', name: 'copy', hostIds: ['host-3'] })).toEqual({
      mode: 'new',
      name: 'copy',
      hostIds: ['host-3'],
    });
    expect(restoreTarget({ mode: 'existing', switchId: 'x' })).toEqual({ mode: 'existing', switchId: 'x' });
  });

  it('refuses, naming each field, what a mode lacks and what belongs to another mode', () => {
    expect(refused({ mode: 'new' })).toEqual({ 'target.name': 'is required for mode "new"' });
    expect(refused({ mode: 'existing', name: 'x' })).toEqual({
      'target.name': 'is not taken by mode "existing"',
      'target.switchId': 'is required for mode "existing"',
    });
    expect(refused({ mode: 'same', hostIds: [], switchId: 'x' })).toEqual({
      'target.hostIds': 'is not taken by mode "same"',
      'target.switchId': 'is not taken by mode "same"',
    });
  });
});

describe('restore plan', () => {
  it('same: its own switch, its port group ids and members as they were, created again if it is gone', () => {
    expect(planRestore(doc, { mode: 'same' }, counter())).toEqual({
      switchId: 'sw',
      hostIds: ['host-1', 'host-2'],
      portGroups: doc.switch.portGroups,
      create: { name: 'dvs', rollbackTimeoutMs: 5000, mtu: 9000 },
      opaque: [
        { entity: { type: 'switch', id: 'sw' }, namespace: NS, key: 'k', valueJson: '1.0' },
        { entity: { type: 'port-group', id: 'pg-b' }, namespace: NS, key: 'k', valueJson: '{"a":1e-400}' },
      ],
    });
  });

  it("new: a new switch and new port group ids, with the snapshot's hosts unless others are given", () => {
    const plan = planRestore(doc, { mode: 'new', name: 'copy' }, counter());
    expect(plan).toEqual({
      switchId: 'id-1',
      hostIds: ['host-1', 'host-2'],
      portGroups: [
        { ...doc.switch.portGroups[0], id: 'id-2' },
        { ...doc.switch.portGroups[1], id: 'id-3' },
      ],
      create: { name: 'copy', rollbackTimeoutMs: 5000, mtu: 9000 },
      // The opaque data follows its entities to their new ids.
      opaque: [
        { entity: { type: 'switch', id: 'id-1' }, namespace: NS, key: 'k', valueJson: '1.0' },
        { entity: { type: 'port-group', id: 'id-3' }, namespace: NS, key: 'k', valueJson: '{"a":1e-400}' },
      ],
    });
    expect(planRestore(doc, { mode: 'new', name: 'copy', hostIds: ['host-9'] }, counter()).hostIds).toEqual(['host-9']);
  });

  it('existing: that switch keeps its hosts and takes the port groups under new ids; it is not created', () => {
    expect(planRestore(doc, { mode: 'existing', switchId: 'other' }, counter())).toEqual({
      switchId: 'other',
      portGroups: [
        { ...doc.switch.portGroups[0], id: 'id-1' },
        { ...doc.switch.portGroups[1], id: 'id-2' },
      ],
      opaque: [
        { entity: { type: 'switch', id: 'other' }, namespace: NS, key: 'k', valueJson: '1.0' },
        { entity: { type: 'port-group', id: 'id-2' }, namespace: NS, key: 'k', valueJson: '{"a":1e-400}' },
      ],
    });
  });

  it('leaves the target its own opaque data when a version 1 document holds none', () => {
    const v1 = { ...doc, schemaVersion: 1 as const, opaque: {} };
    expect(planRestore(v1, { mode: 'same' }, counter())).not.toHaveProperty('opaque');
  });
});
