import { Liveness } from './liveness.js';

describe('Liveness', () => {
  it('is connected while the last heartbeat is younger than the timeout', () => {
    const l = new Liveness(3000);
    expect(l.state('h1', 1000)).toBe('disconnected');
    l.seen('h1', 1000);
    expect(l.state('h1', 3999)).toBe('connected');
    expect(l.state('h1', 4000)).toBe('disconnected');
    expect(l.lastSeenAt('h1')).toBe(1000);
    expect(l.lastSeenAt('h2')).toBeNull();
  });
});
