import { RebuildProgress, TaskProgress } from './progress-view.js';
import type { TaskView } from './task-progress.js';

const view = (state: TaskView['state'], hosts: Record<string, TaskView['hosts'][string]['state']>): TaskView => ({
  id: 'a1b2c3d4-0000-0000-0000-000000000000',
  kind: 'switch.update',
  state,
  hosts: Object.fromEntries(Object.entries(hosts).map(([h, s]) => [h, { state: s, detail: null }])),
  startedAt: '2026-12-01T00:00:00.000Z',
  finishedAt: null,
});

describe('progress off a terminal', () => {
  it('writes a plain line only when the state or a count changed', () => {
    let out = '';
    const p = new TaskProgress({ write: (t) => void (out += t), tty: null });
    p.update(view('running', { 'host-1': 'pending', 'host-2': 'pending' }));
    p.update(view('running', { 'host-1': 'pending', 'host-2': 'pending' }));
    p.update(view('running', { 'host-1': 'succeeded', 'host-2': 'pending' }));
    p.update(view('rolled_back', { 'host-1': 'rolled_back', 'host-2': 'rolled_back' }));
    p.stop();
    expect(out.split('\n')).toEqual([
      'task a1b2c3d4-0000-0000-0000-000000000000 running: 0 applied, 0 rolled back, 0 failed, 0/2 hosts',
      'task a1b2c3d4-0000-0000-0000-000000000000 running: 1 applied, 0 rolled back, 0 failed, 1/2 hosts',
      'task a1b2c3d4-0000-0000-0000-000000000000 rolled back: 0 applied, 2 rolled back, 0 failed, 2/2 hosts',
      '',
    ]);
  });

  it("writes a rebuild's progress as replayed of total", () => {
    let out = '';
    const p = new RebuildProgress({ write: (t) => void (out += t), tty: null }, 'compute-manager');
    const base = { id: 'r', startedAt: 's', finishedAt: null, durationMs: null, error: null };
    p.update({ ...base, state: 'running', replayed: 0, total: 0 });
    p.update({ ...base, state: 'running', replayed: 500, total: 1000 });
    p.update({ ...base, state: 'succeeded', replayed: 1000, total: 1000, durationMs: 12 });
    expect(out.split('\n')).toEqual([
      'rebuild of the compute-manager running: 0/? events replayed',
      'rebuild of the compute-manager running: 500/1000 events replayed',
      'rebuild of the compute-manager succeeded: 1000/1000 events replayed in 12 ms',
      '',
    ]);
  });
});
