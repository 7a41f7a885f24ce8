import { ThrottledLog } from './throttled-log.js';

describe('throttled log', () => {
  it('logs a kind once per window, then says how many it held back', () => {
    let now = 0;
    const lines: unknown[] = [];
    const log = new ThrottledLog({ warn: (m) => lines.push(m) }, 1000, () => now);
    log.warn('sync failed', { hostId: 'a' });
    log.warn('sync failed', { hostId: 'b' });
    log.warn('other', {});
    now = 1000;
    log.warn('sync failed', { hostId: 'c' });
    expect(lines).toEqual([
      { msg: 'sync failed', hostId: 'a' },
      { msg: 'other' },
      { msg: 'sync failed', hostId: 'c', suppressed: 1 },
    ]);
  });
});
