import { DEFAULT_POLICY } from '@vnet/contracts';
import { mapPortGroupIds } from './port-group-ids.js';

const counter = () => {
  let n = 0;
  return () => `new-${++n}`;
};

describe('port group id mapping', () => {
  const groups = [
    { id: 'a', name: 'web', vlanId: 10, management: false, policy: DEFAULT_POLICY },
    { id: 'b', name: 'db', vlanId: 20, management: true, policy: DEFAULT_POLICY },
  ];

  it('gives each port group a new id, in order, keeping everything else', () => {
    const { portGroups, mapping } = mapPortGroupIds(groups, counter());
    expect(portGroups).toEqual([
      { ...groups[0], id: 'new-1' },
      { ...groups[1], id: 'new-2' },
    ]);
    expect(mapping).toEqual({ a: 'new-1', b: 'new-2' });
  });

  it('leaves what it is given untouched, and maps nothing from nothing', () => {
    const before = structuredClone(groups);
    mapPortGroupIds(groups, counter());
    expect(groups).toEqual(before);
    expect(mapPortGroupIds([], counter())).toEqual({ portGroups: [], mapping: {} });
  });
});
