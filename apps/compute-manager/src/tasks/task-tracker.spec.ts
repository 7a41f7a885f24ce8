import { newTask, type HostOutcome } from './task.js';
import { TaskTracker } from './task-tracker.js';

const target = { kind: 'switch' as const, targetId: 's1', revision: 2 };
const applied = (hostId: string, revision = 2): HostOutcome => ({ hostId, kind: 'switch', targetId: 's1', revision, state: 'applied' });
const t0 = new Date('2026-01-01T00:00:00Z');

describe('TaskTracker', () => {
  it('applies outcomes to the tasks of their target and reports each change', () => {
    const changes: string[] = [];
    const tracker = new TaskTracker((task, hostId) => changes.push(`${task.state}:${hostId ?? '*'}`));
    const task = newTask('t1', 'k', ['h1', 'h2'], target, t0, 1000);
    tracker.track(task, t0);
    tracker.outcome(applied('h1'), t0);
    tracker.outcome({ ...applied('h2'), targetId: 'other' }, t0);
    expect(task.hosts.h1.state).toBe('succeeded');
    expect(task.hosts.h2.state).toBe('pending');
    tracker.outcome(applied('h2', 3), t0);
    expect(task.state).toBe('succeeded');
    expect(changes).toEqual(['running:h1', 'succeeded:h2']);
    expect(tracker.get('t1')).toBeUndefined();
  });

  it('counts an outcome a host sent before its task was tracked', () => {
    const tracker = new TaskTracker(() => undefined);
    tracker.outcome(applied('h1'), t0);
    const task = newTask('t1', 'k', ['h1'], target, t0, 1000);
    tracker.track(task, t0);
    expect(task.state).toBe('succeeded');
  });

  it('a host that rolled the change back makes the task rolled_back once every host answered', () => {
    const tracker = new TaskTracker(() => undefined);
    const task = newTask('t1', 'k', ['h1', 'h2'], target, t0, 1000);
    tracker.track(task, t0);
    tracker.outcome({ ...applied('h2'), state: 'rolled_back', detail: 'no round trip', restoredRevision: 1 }, t0);
    tracker.outcome(applied('h1'), t0);
    expect(task.state).toBe('rolled_back');
    expect(task.hosts.h2).toEqual({ state: 'rolled_back', detail: 'no round trip' });
  });

  it('ends tasks past their deadline, naming the hosts that did not answer', () => {
    const tracker = new TaskTracker(() => undefined);
    const task = newTask('t1', 'k', ['h1'], target, t0, 1000);
    tracker.track(task, t0);
    tracker.expire(new Date(t0.getTime() + 999));
    expect(task.state).toBe('running');
    tracker.expire(new Date(t0.getTime() + 1000));
    expect(task.state).toBe('failed');
    expect(tracker.ids()).toEqual([]);
  });

  it('wakes a waiter with the first matching outcome, or null after its timeout', async () => {
    const tracker = new TaskTracker(() => undefined);
    const waiting = tracker.waitFor((o) => o.hostId === 'h1', 1000);
    tracker.outcome(applied('h2'), t0);
    tracker.outcome(applied('h1'), t0);
    await expect(waiting).resolves.toMatchObject({ hostId: 'h1' });
    await expect(tracker.waitFor(() => false, 10)).resolves.toBeNull();
  });
});
