import { effectiveOpaque, type OpaqueLevel } from './opaque-data.js';

const sw = { type: 'switch', id: 'sw' } as const;
const pg = { type: 'port-group', id: 'pg' } as const;
const port = { type: 'port', id: 'p' } as const;
const entry = (key: string, valueJson: string, namespace = 'com.acme.x') => ({ namespace, key, valueJson });

describe('effectiveOpaque', () => {
  it("gives an entity's own entries without inheritedFrom", () => {
    expect(effectiveOpaque([{ entity: sw, entries: [entry('a', '1')] }])).toEqual([
      { namespace: 'com.acme.x', key: 'a', valueJson: '1' },
    ]);
  });

  it('inherits from each level above, naming the level', () => {
    const levels: OpaqueLevel[] = [
      { entity: sw, entries: [entry('a', '"sw"')] },
      { entity: pg, entries: [entry('b', '"pg"')] },
      { entity: port, entries: [entry('c', '"port"')] },
    ];
    expect(effectiveOpaque(levels)).toEqual([
      { namespace: 'com.acme.x', key: 'a', valueJson: '"sw"', inheritedFrom: sw },
      { namespace: 'com.acme.x', key: 'b', valueJson: '"pg"', inheritedFrom: pg },
      { namespace: 'com.acme.x', key: 'c', valueJson: '"port"' },
    ]);
    expect(effectiveOpaque(levels.slice(0, 2))).toEqual([
      { namespace: 'com.acme.x', key: 'a', valueJson: '"sw"', inheritedFrom: sw },
      { namespace: 'com.acme.x', key: 'b', valueJson: '"pg"' },
    ]);
  });

  it('lets the most specific level that sets a key win, per namespace', () => {
    const levels: OpaqueLevel[] = [
      { entity: sw, entries: [entry('k', '"sw"'), entry('k', '"other-ns"', 'org.other.y')] },
      { entity: pg, entries: [entry('k', '"pg"')] },
      { entity: port, entries: [] },
    ];
    expect(effectiveOpaque(levels)).toEqual([
      { namespace: 'com.acme.x', key: 'k', valueJson: '"pg"', inheritedFrom: pg },
      { namespace: 'org.other.y', key: 'k', valueJson: '"other-ns"', inheritedFrom: sw },
    ]);
    levels[2] = { entity: port, entries: [entry('k', '"port"')] };
    expect(effectiveOpaque(levels)[0]).toEqual({ namespace: 'com.acme.x', key: 'k', valueJson: '"port"' });
  });

  it('shows the inherited value again once the lower entry is deleted', () => {
    const withOwn: OpaqueLevel[] = [
      { entity: sw, entries: [entry('k', '"sw"')] },
      { entity: port, entries: [entry('k', '"port"')] },
    ];
    expect(effectiveOpaque(withOwn)).toEqual([{ namespace: 'com.acme.x', key: 'k', valueJson: '"port"' }]);
    const deleted = [withOwn[0], { entity: port, entries: [] }];
    expect(effectiveOpaque(deleted)).toEqual([{ namespace: 'com.acme.x', key: 'k', valueJson: '"sw"', inheritedFrom: sw }]);
  });

  it('keeps value texts as they are, sorted by namespace then key', () => {
    const text = '{"b":1,"a":12345678901234567890123,"c":1e-400}';
    expect(
      effectiveOpaque([{ entity: port, entries: [entry('z', text), entry('a', '1.0'), entry('m', 'null', 'aa.first')] }]),
    ).toEqual([
      { namespace: 'aa.first', key: 'm', valueJson: 'null' },
      { namespace: 'com.acme.x', key: 'a', valueJson: '1.0' },
      { namespace: 'com.acme.x', key: 'z', valueJson: text },
    ]);
    expect(effectiveOpaque([])).toEqual([]);
  });
});
