import { heldAfterReport, isStaleReport } from './report-fold.js';

describe('heldAfterReport', () => {
  it('a full report replaces the set; a delta changes it', () => {
    expect(heldAfterReport({ a: 1, b: 1 }, { held: [{ id: 'b', revision: 2 }], upserted: [], removed: [] })).toEqual({ b: 2 });
    expect(heldAfterReport({ a: 1 }, { upserted: [{ id: 'c', revision: 1 }], removed: ['a'] })).toEqual({ c: 1 });
  });

  it('a report of the same boot not newer than the last applied is stale', () => {
    expect(isStaleReport({ bootId: 'b1', seq: 3 }, { bootId: 'b1', seq: 3 })).toBe(true);
    expect(isStaleReport({ bootId: 'b1', seq: 3 }, { bootId: 'b1', seq: 4 })).toBe(false);
    expect(isStaleReport({ bootId: 'b1', seq: 3 }, { bootId: 'b2', seq: 1 })).toBe(false);
  });
});
