import { DEFAULT_POLICY } from '@vnet/contracts';
import { JSON_CODEC } from '../store/store-state.js';
import { parseRecord } from '../store/store-record.js';
import { computeCodec } from './compute-codec.js';
import type { RunningSwitch } from './compute-state.js';

describe('compute codec', () => {
  const sw: RunningSwitch = {
    id: 's1', name: 'dvs', revision: 3, mtu: 1500, rollbackTimeoutMs: 30000,
    portGroups: [{ id: 'web', name: 'web', vlanId: 10, management: false, policy: DEFAULT_POLICY, changedAtRevision: 2 }],
    groupsAppliedAt: { web: 2 },
    ports: [{ id: 'p1', portGroupId: 'web', connectee: { type: 'management' }, appliedAtRevision: 2 }],
  };
  const codec = computeCodec(JSON_CODEC);
  const valueOf = (key: string, value: unknown) => {
    const record = parseRecord(String(codec.encodePut('compute', key, value)));
    expect(record).toMatchObject({ op: 'put', ns: 'compute', key });
    return (record as { value: unknown }).value;
  };

  it("writes a running switch's config as plain JSON without its ports, reading back equal", () => {
    const { ports: _ports, ...config } = sw;
    for (const key of ['switch:s1', 'saved:s1']) expect(valueOf(key, sw)).toEqual(config);
  });

  it('writes ports under their own keys as plain JSON, reading back equal', () => {
    for (const key of ['switch-ports:s1', 'saved-ports:s1']) expect(valueOf(key, sw.ports)).toEqual(sw.ports);
  });

  it('leaves other values to the codec it wraps', () => {
    expect(String(codec.encodePut('compute', 'management', null))).toBe(String(JSON_CODEC.encodePut('compute', 'management', null)));
    expect(String(codec.encodePut('compute', 'ports', { hostId: 'h1' }))).toBe(String(JSON_CODEC.encodePut('compute', 'ports', { hostId: 'h1' })));
  });

  it("shares one encoding of the same config between hosts, and encodes a different one apart", () => {
    // Two hosts' own objects of the same config, with the port groups array they share.
    const a: RunningSwitch = { ...sw, groupsAppliedAt: { web: 2 }, ports: [] };
    const b: RunningSwitch = { ...sw, groupsAppliedAt: { web: 2 }, ports: [] };
    expect(codec.encodePut('compute', 'switch:s1', b)).toBe(codec.encodePut('compute', 'switch:s1', a));
    const later: RunningSwitch = { ...sw, revision: 4, groupsAppliedAt: { web: 4 } };
    expect(valueOf('switch:s1', later)).toMatchObject({ revision: 4, groupsAppliedAt: { web: 4 } });
    expect(valueOf('saved:s1', a)).toMatchObject({ revision: 3, groupsAppliedAt: { web: 2 } });
    const renamed: RunningSwitch = { ...sw, name: 'dvs "two"' };
    expect(valueOf('switch:s1', renamed)).toMatchObject({ name: 'dvs "two"', revision: 3 });
    expect(valueOf('switch:s1', a)).toMatchObject({ name: 'dvs' });
  });
});
