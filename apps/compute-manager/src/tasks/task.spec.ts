import { applyOutcome, expire, newTask } from './task.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const target = { kind: 'switch' as const, targetId: 's1', revision: 3 };

describe('task outcomes', () => {
  it('succeeds when every host reported the revision (or a later one) applied', () => {
    const task = newTask('t', 'switch.update', ['h1', 'h2'], target, t0, 5000);
    expect(applyOutcome(task, { hostId: 'h1', kind: 'switch', targetId: 's1', revision: 3, state: 'applied' }, t0)).toBe(true);
    expect(task.state).toBe('running');
    expect(applyOutcome(task, { hostId: 'h2', kind: 'switch', targetId: 's1', revision: 2, state: 'applied' }, t0)).toBe(false);
    applyOutcome(task, { hostId: 'h2', kind: 'switch', targetId: 's1', revision: 4, state: 'applied' }, t0);
    expect(task.state).toBe('succeeded');
    expect(task.finishedAt).toBe(t0.toISOString());
  });

  it('fails naming the host that did not answer by the deadline', () => {
    const task = newTask('t', 'switch.update', ['h1', 'h2'], target, t0, 5000);
    applyOutcome(task, { hostId: 'h1', kind: 'switch', targetId: 's1', revision: 3, state: 'applied' }, t0);
    expect(expire(task, new Date(t0.getTime() + 4999))).toBe(false);
    expect(expire(task, new Date(t0.getTime() + 5000))).toBe(true);
    expect(task.state).toBe('failed');
    expect(task.hosts.h2.state).toBe('failed');
    expect(task.hosts.h1.state).toBe('succeeded');
  });

  it('is rolled back when a host rolled the revision back', () => {
    const task = newTask('t', 'switch.update', ['h1'], target, t0, 5000);
    applyOutcome(task, { hostId: 'h1', kind: 'switch', targetId: 's1', revision: 3, state: 'rolled_back', detail: 'no round trip' }, t0);
    expect(task.state).toBe('rolled_back');
    expect(task.hosts.h1).toEqual({ state: 'rolled_back', detail: 'no round trip' });
  });

  it('ignores other targets and hosts, and a task with no host is done at once', () => {
    const task = newTask('t', 'switch.update', ['h1'], target, t0, 5000);
    expect(applyOutcome(task, { hostId: 'h1', kind: 'switch', targetId: 's2', revision: 9, state: 'applied' }, t0)).toBe(false);
    expect(applyOutcome(task, { hostId: 'h9', kind: 'switch', targetId: 's1', revision: 9, state: 'applied' }, t0)).toBe(false);
    expect(newTask('t', 'x', [], target, t0, 5000).state).toBe('succeeded');
    const unchanged = newTask('t', 'x', ['h1'], target, t0, 5000, true);
    expect(unchanged.state).toBe('succeeded');
    expect(unchanged.hosts.h1).toEqual({ state: 'succeeded', detail: 'nothing to change' });
  });
});

describe('a task over many hosts', () => {
  const target = { kind: 'switch' as const, targetId: 's', revision: 3 };
  const hosts = Array.from({ length: 2000 }, (_, i) => `host-${i + 1}`);

  it('stays running until the last host answered, whatever the order, and ends with the worst outcome', () => {
    const task = newTask('t', 'k', hosts, target, new Date(0), 1000);
    const order = [...hosts].reverse();
    for (const [i, hostId] of order.entries()) {
      expect(task.state).toBe('running');
      const state = i === 7 ? 'failed' : 'applied';
      expect(applyOutcome(task, { hostId, ...target, state }, new Date(1))).toBe(true);
    }
    expect(task.state).toBe('failed');
    expect(Object.values(task.hosts).filter((h) => h.state === 'succeeded')).toHaveLength(1999);
    // A repeated outcome changes nothing.
    expect(applyOutcome(task, { hostId: 'host-1', ...target, state: 'applied' }, new Date(2))).toBe(false);
  });

  it('ends at its deadline with the hosts that did not answer failed', () => {
    const task = newTask('t', 'k', hosts, target, new Date(0), 1000);
    for (const hostId of hosts.slice(0, 1990)) applyOutcome(task, { hostId, ...target, state: 'applied' }, new Date(1));
    expect(expire(task, new Date(500))).toBe(false);
    expect(expire(task, new Date(1000))).toBe(true);
    expect(task.state).toBe('failed');
    expect(Object.entries(task.hosts).filter(([, h]) => h.state === 'failed').map(([id]) => id)).toEqual(hosts.slice(1990));
  });
});
