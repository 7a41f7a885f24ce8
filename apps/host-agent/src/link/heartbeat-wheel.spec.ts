import { HeartbeatWheel, managementConnected } from './heartbeat-wheel.js';

describe('heartbeat wheel', () => {
  it('spreads members evenly and visits every member once per turn', () => {
    const wheel = new HeartbeatWheel<number>(20);
    for (let i = 0; i < 2000; i++) wheel.add(i);
    expect(new Set(wheel.sizes)).toEqual(new Set([100]));
    const seen = new Set<number>();
    for (let t = 0; t < 20; t++) for (const m of wheel.next()) seen.add(m);
    expect(seen.size).toBe(2000);
  });

  it('calls management connected only within the timeout of the last round trip', () => {
    expect(managementConnected({ lastRoundTripAt: null }, 1000)).toBe(false);
    expect(managementConnected({ lastRoundTripAt: 1000 }, 4500, 3500)).toBe(true);
    expect(managementConnected({ lastRoundTripAt: 1000 }, 4501, 3500)).toBe(false);
  });
});
