import { taskOutcome } from './context.js';
import {
  countTask,
  progressKey,
  progressLine,
  rebuildViewOf,
  type TaskView,
  unsuccessfulHosts,
  waitForTask,
} from './task-progress.js';

const task = (state: TaskView['state'], hosts: Record<string, TaskView['hosts'][string]['state']>): TaskView => ({
  id: 't1',
  kind: 'switch.update',
  state,
  hosts: Object.fromEntries(
    Object.entries(hosts).map(([h, s]) => [h, { state: s, detail: s === 'failed' ? 'timed out' : null }]),
  ),
  startedAt: '2026-12-01T00:00:00.000Z',
  finishedAt: null,
});

describe('task progress', () => {
  it('counts hosts by outcome', () => {
    expect(
      countTask(task('running', { 'host-1': 'succeeded', 'host-2': 'pending', 'host-3': 'rolled_back', 'host-4': 'failed' })),
    ).toEqual({
      applied: 1,
      rolledBack: 1,
      failed: 1,
      pending: 1,
      total: 4,
      done: 3,
    });
    expect(countTask(task('succeeded', {}))).toEqual({ applied: 0, rolledBack: 0, failed: 0, pending: 0, total: 0, done: 0 });
  });

  it('lists the hosts that did not succeed, in host order', () => {
    const t = task('failed', { 'host-10': 'failed', 'host-2': 'rolled_back', 'host-1': 'succeeded' });
    expect(unsuccessfulHosts(t)).toEqual([
      { hostId: 'host-2', state: 'rolled_back', detail: null },
      { hostId: 'host-10', state: 'failed', detail: 'timed out' },
    ]);
    const text = taskOutcome(t);
    expect(text.split('\n')[0]).toBe('task t1 (switch.update) failed: 1 applied, 1 rolled back, 1 failed, 3/3 hosts');
    expect(text).toMatch(/HOST\s+STATE\s+DETAIL\nhost-2\s+rolled back\s+-\nhost-10\s+failed\s+timed out/);
    expect(taskOutcome(task('succeeded', { 'host-1': 'succeeded' }))).not.toMatch(/did not succeed/);
  });

  it('has one plain line per change of state or count', () => {
    const a = task('running', { 'host-1': 'pending' });
    const b = task('running', { 'host-1': 'succeeded' });
    expect(progressLine(a)).toBe('task t1 running: 0 applied, 0 rolled back, 0 failed, 0/1 hosts');
    expect(progressKey(a)).not.toBe(progressKey(b));
    expect(progressKey(b)).toBe(progressKey({ ...b, startedAt: 'other' }));
  });

  it('reads until the task ends, reporting each view', async () => {
    const views = [task('running', { h: 'pending' }), task('running', { h: 'pending' }), task('succeeded', { h: 'succeeded' })];
    const seen: string[] = [];
    const slept: number[] = [];
    const r = await waitForTask(async () => views.shift()!, {
      intervalMs: 7,
      timeoutMs: 1000,
      now: () => 0,
      sleep: async (ms) => void slept.push(ms),
      onUpdate: (t) => seen.push(t.state),
    });
    expect(r).toEqual({ task: expect.objectContaining({ state: 'succeeded' }), ended: true });
    expect(seen).toEqual(['running', 'running', 'succeeded']);
    expect(slept).toEqual([7, 7]);
  });

  it('gives up at the deadline with the last view', async () => {
    let clock = 0;
    const r = await waitForTask(async () => task('running', { h: 'pending' }), {
      intervalMs: 100,
      timeoutMs: 250,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
    });
    expect(r.ended).toBe(false);
    expect(r.task.state).toBe('running');
    expect(clock).toBe(300);
  });

  it("reads a rebuild's quick 200 as a succeeded rebuild", () => {
    expect(rebuildViewOf({ rebuilt: true, id: 'r', events: 42, durationMs: 9 })).toMatchObject({
      state: 'succeeded',
      replayed: 42,
      total: 42,
    });
    const running = {
      id: 'r',
      state: 'running' as const,
      replayed: 1,
      total: 9,
      startedAt: 's',
      finishedAt: null,
      durationMs: null,
      error: null,
    };
    expect(rebuildViewOf(running)).toBe(running);
  });
});
