import type { OpaqueEntry, SwitchDesired } from '@vnet/contracts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeCodec } from '../compute-switch/compute-codec.js';
import { HostStore, JOURNAL_FILE } from '../store/host-store.js';
import { JSON_CODEC } from '../store/store-state.js';
import { tempDirPerTest } from '../../../../test/harness/temp-dir.js';
import { opaqueCodec, SwitchOpaqueStore } from './switch-opaque.store.js';

const desired = (revision: number, opaque?: OpaqueEntry[]): SwitchDesired => ({
  id: 'sw1',
  name: 'dvs',
  revision,
  mtu: 1500,
  rollbackTimeoutMs: 30000,
  hostIds: ['host-1'],
  portGroups: [],
  rollback: true,
  ...(opaque ? { opaque } : {}),
});
const raw = '{"n":12345678901234567890123,"f":1.0}';
const entries: OpaqueEntry[] = [{ entity: { type: 'switch', id: 'sw1' }, namespace: 'acme.fw', key: 'k', valueJson: raw }];

describe("a host's copy of its switches' opaque data", () => {
  const root = tempDirPerTest('switch-opaque');
  const open = async () => (await HostStore.open(join(root(), 'host-1'), { codec: opaqueCodec(computeCodec(JSON_CODEC)) })).store;

  it('keeps the entries as text across a reopen, writes them only when they change, and drops them with the switch', async () => {
    const store = await open();
    const opaque = new SwitchOpaqueStore(store);
    opaque.keep(desired(2, entries));
    await store.flush();
    // The same entries at the next revision (another change of the switch): nothing written.
    opaque.keep(desired(3, entries.map((e) => ({ ...e }))));
    expect(store.dirty).toBe(false);
    const journal = await readFile(join(root(), 'host-1', JOURNAL_FILE), 'utf8');
    expect(journal).toContain(JSON.stringify(raw));

    const back = new SwitchOpaqueStore(await open());
    expect(back.entries('sw1')).toEqual(entries);
    opaque.keep(desired(4));
    expect(opaque.entries('sw1')).toEqual([]);
    opaque.keep(desired(5, entries));
    opaque.drop('sw1');
    expect(opaque.entries('sw1')).toEqual([]);
  });
});
