import { DEFAULT_POLICY } from '@vnet/contracts';
import { parseSnapshotDocument, type SnapshotDocument, snapshotDocument } from './snapshot-document.js';
import { SnapshotInvalidError } from './snapshot-invalid.error.js';

const ID = '4f6f0a9e-7c1b-4d51-9d43-2b4a2f0b7a11';
const SWITCH = '0c1d2e3f-4a5b-4c6d-8e7f-901234567890';
const PG1 = '11111111-1111-4111-8111-111111111111';
const PG2 = '22222222-2222-4222-8222-222222222222';

const good = (): SnapshotDocument =>
  snapshotDocument(ID, new Date('2026-01-02T03:04:05.000Z'), {
    id: SWITCH,
    name: 'dvs',
    revision: 4,
    mtu: 1500,
    rollbackTimeoutMs: 30000,
    hostIds: ['host-1', 'host-2'],
    portGroups: [
      { id: PG1, name: 'web', vlanId: 10, management: false, policy: DEFAULT_POLICY },
      {
        id: PG2,
        name: 'mgmt',
        vlanId: 100,
        management: true,
        policy: { ...DEFAULT_POLICY, teaming: { ...DEFAULT_POLICY.teaming, policy: 'failover_explicit' } },
      },
    ],
  });

/** The problems a document is refused for, or [] when it is read. */
function problems(bytes: Uint8Array | string, id = ID): string[] {
  try {
    parseSnapshotDocument(id, bytes);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(SnapshotInvalidError);
    expect(err).toMatchObject({ code: 'SNAPSHOT_INVALID', status: 422 });
    return (err as SnapshotInvalidError).problems;
  }
}

const json = (value: unknown) => JSON.stringify(value);

describe('switch snapshot document', () => {
  it('is self-describing, version 2, with an empty slot for overrides and the opaque entries', () => {
    expect(good()).toEqual({
      schema: 'vnet.switch-snapshot',
      schemaVersion: 2,
      id: ID,
      createdAt: '2026-01-02T03:04:05.000Z',
      switch: expect.objectContaining({ id: SWITCH, name: 'dvs', revision: 4, hostIds: ['host-1', 'host-2'] }),
      overrides: [],
      opaque: { entries: [] },
    });
  });

  it('reads version 2 with opaque entries of the switch and its port groups, and version 1 with none', () => {
    const entries = [
      { entity: { type: 'switch', id: SWITCH }, namespace: 'com.acme.x', key: 'k', valueJson: '12345678901234567890123' },
      { entity: { type: 'port-group', id: PG1 }, namespace: 'com.acme.x', key: 'k', valueJson: '{"b":1,"a":1.0}' },
    ];
    const withData = json({ ...good(), opaque: { entries } });
    expect(parseSnapshotDocument(ID, withData).opaque).toEqual({ entries });
    expect(problems(json({ ...good(), schemaVersion: 1, opaque: {} }))).toEqual([]);
    expect(
      problems(json({ ...good(), opaque: { entries: [{ ...entries[1], entity: { type: 'port-group', id: SWITCH } }] } })),
    ).toEqual([`opaque.entries: entries of entities that are not the switch or its port groups: ${SWITCH}`]);
    expect(problems(json({ ...good(), opaque: { entries: [entries[0], entries[0]] } }))).toEqual([
      'opaque.entries: an entry is given more than once',
    ]);
    expect(problems(json({ ...good(), opaque: { entries: [{ ...entries[0], valueJson: '{nope' }] } }))[0]).toMatch(/valueJson/);
    expect(problems(json({ ...good(), opaque: { entries: [{ ...entries[0], entity: { type: 'port', id: PG1 } }] } }))[0]).toMatch(
      /type/,
    );
  });

  it("keeps only the port groups' configuration, not the revision they changed at", () => {
    const doc = snapshotDocument(ID, new Date(), {
      ...good().switch,
      portGroups: [{ ...good().switch.portGroups[0], changedAtRevision: 3 } as never],
    });
    expect(doc.switch.portGroups[0]).toEqual({ id: PG1, name: 'web', vlanId: 10, management: false, policy: DEFAULT_POLICY });
  });

  it('reads back what it wrote, from bytes or text', () => {
    expect(parseSnapshotDocument(ID, new TextEncoder().encode(json(good())))).toEqual(good());
    expect(parseSnapshotDocument(ID, json(good()))).toEqual(good());
  });

  it('refuses what is not JSON, or not a JSON object', () => {
    expect(problems('{"schema": "vnet.switch-snap')[0]).toMatch(/^not JSON/);
    expect(problems(new Uint8Array([0xff, 0xfe, 0x00]))[0]).toMatch(/^not JSON/);
    expect(problems('[1,2]')).toEqual(['not a JSON object']);
    expect(problems('null')).toEqual(['not a JSON object']);
  });

  it('refuses another schema and a version it does not read, before looking at any field', () => {
    expect(problems(json({ ...good(), schema: 'something-else', switch: 'junk' }))).toEqual([
      'schema: "something-else" is not "vnet.switch-snapshot"',
    ]);
    expect(problems(json({ ...good(), schemaVersion: 3, switch: 'junk' }))).toEqual([
      'schemaVersion: 3 is not a version this compute manager reads (it reads 1, 2)',
    ]);
    expect(problems(json({ ...good(), schemaVersion: '1' }))[0]).toMatch(/^schemaVersion: "1" is not a version/);
    const { schemaVersion: _v, ...unversioned } = good();
    expect(problems(json(unversioned))[0]).toMatch(/^schemaVersion: null/);
  });

  it('names every field that fails validation, by its path', () => {
    const doc = good();
    const bad = {
      ...doc,
      createdAt: 'yesterday',
      switch: {
        ...doc.switch,
        mtu: 10,
        hostIds: ['host 1'],
        portGroups: [
          { ...doc.switch.portGroups[0], vlanId: 5000 },
          { ...doc.switch.portGroups[1], policy: { ...DEFAULT_POLICY, security: { promiscuous: 'yes' } } },
        ],
      },
    };
    const found = problems(json(bad));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^createdAt /),
        expect.stringMatching(/^switch\.mtu /),
        expect.stringMatching(/^switch\.hostIds /),
        expect.stringMatching(/^switch\.portGroups\.0\.vlanId /),
        expect.stringMatching(/^switch\.portGroups\.1\.policy\.security\.promiscuous /),
        expect.stringMatching(/^switch\.portGroups\.1\.policy\.security\.macChanges /),
        expect.stringMatching(/^switch\.portGroups\.1\.policy\.security\.forgedTransmits /),
      ]),
    );
    expect(found).toHaveLength(7);
  });

  it('refuses a missing part, unknown fields, and a document that is not whole or not the one stored there', () => {
    const { switch: _s, ...noSwitch } = good();
    expect(problems(json(noSwitch))).toEqual([expect.stringMatching(/^switch /)]);
    expect(problems(json({ ...good(), extra: 1 }))).toEqual([expect.stringMatching(/extra/)]);
    expect(problems(json(good()), '99999999-9999-4999-8999-999999999999')).toEqual([
      `id: ${ID} is not the snapshot stored as 99999999-9999-4999-8999-999999999999`,
    ]);
    const twice = {
      ...good(),
      switch: { ...good().switch, portGroups: [good().switch.portGroups[0], good().switch.portGroups[0]] },
    };
    expect(problems(json(twice))).toEqual([`switch.portGroups: port group ids given more than once: ${PG1}`]);
    expect(
      problems(json({ ...good(), schemaVersion: 1, overrides: [{ hostId: 'host-1' }], opaque: { 'acme.x': { k: 1 } } })),
    ).toEqual(['overrides: must be empty in schema version 1', 'opaque: must be empty in schema version 1']);
  });
});
