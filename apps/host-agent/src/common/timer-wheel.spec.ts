import { TimerWheel } from './timer-wheel.js';

describe('timer wheel', () => {
  it('runs callbacks when due, never early', () => {
    let now = 1000;
    const wheel = new TimerWheel(100, () => now);
    const ran: string[] = [];
    wheel.schedule(250, () => ran.push('a'));
    wheel.schedule(50, () => ran.push('b'));
    now = 1099;
    wheel.runDue();
    expect(ran).toEqual([]);
    now = 1100;
    wheel.runDue();
    expect(ran).toEqual(['b']);
    now = 1299;
    wheel.runDue();
    expect(ran).toEqual(['b']);
    now = 1300;
    wheel.runDue();
    expect(ran).toEqual(['b', 'a']);
    expect(wheel.pending).toBe(0);
    wheel.stop();
  });
});
