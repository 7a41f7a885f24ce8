import { DEFAULT_POLICY } from '@vnet/contracts';
import { JSON_CODEC } from '../store/store-state.js';
import { parseRecord } from '../store/store-record.js';
import { computeCodec } from './compute-codec.js';
import type { RunningSwitch } from './compute-state.js';

describe('compute codec', () => {
  it('writes a running switch as plain JSON, reading back equal', () => {
    const sw: RunningSwitch = {
      id: 's1', name: 'dvs', revision: 3, mtu: 1500, rollbackTimeoutMs: 30000,
      portGroups: [{ id: 'web', name: 'web', vlanId: 10, management: false, policy: DEFAULT_POLICY, changedAtRevision: 2 }],
      ports: [{ id: 'p1', portGroupId: 'web', vlanId: 10, connectee: { type: 'management' }, appliedAtRevision: 2 }],
    };
    const codec = computeCodec(JSON_CODEC);
    for (const key of ['switch:s1', 'saved:s1']) {
      const record = parseRecord(String(codec.encodePut('compute', key, sw)));
      expect(record).toMatchObject({ op: 'put', ns: 'compute', key });
      expect((record as { value: unknown }).value).toEqual(sw);
    }
    expect(String(codec.encodePut('compute', 'management', null))).toBe(String(JSON_CODEC.encodePut('compute', 'management', null)));
  });
});
