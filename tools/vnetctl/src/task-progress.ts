/** A task as `GET /tasks/:id` answers it (CONTRACT §2). */
export type TaskState = 'running' | 'succeeded' | 'failed' | 'rolled_back';
export type HostTaskState = 'pending' | 'succeeded' | 'failed' | 'rolled_back';

export interface TaskView {
  id: string;
  kind: string;
  state: TaskState;
  hosts: Record<string, { state: HostTaskState; detail: string | null }>;
  startedAt: string;
  finishedAt: string | null;
}

export interface TaskCounts {
  applied: number;
  rolledBack: number;
  failed: number;
  pending: number;
  total: number;
  /** Hosts with an outcome (every state but pending). */
  done: number;
}

export function countTask(task: Pick<TaskView, 'hosts'>): TaskCounts {
  const counts: TaskCounts = { applied: 0, rolledBack: 0, failed: 0, pending: 0, total: 0, done: 0 };
  for (const { state } of Object.values(task.hosts)) {
    counts.total++;
    if (state === 'succeeded') counts.applied++;
    else if (state === 'rolled_back') counts.rolledBack++;
    else if (state === 'failed') counts.failed++;
    else counts.pending++;
  }
  counts.done = counts.total - counts.pending;
  return counts;
}

export const isFinished = (task: { state: string }) => task.state !== 'running';

/** The hosts that did not succeed, by host id. */
export function unsuccessfulHosts(
  task: Pick<TaskView, 'hosts'>,
): Array<{ hostId: string; state: HostTaskState; detail: string | null }> {
  return Object.entries(task.hosts)
    .filter(([, h]) => h.state !== 'succeeded')
    .map(([hostId, h]) => ({ hostId, state: h.state, detail: h.detail }))
    .sort((a, b) => a.hostId.localeCompare(b.hostId, undefined, { numeric: true }));
}

export const countsText = (c: TaskCounts) =>
  `${c.applied} applied, ${c.rolledBack} rolled back, ${c.failed} failed, ${c.done}/${c.total} hosts`;

/** The one line that says where a task is, for logs and for output that is not a terminal. */
export function progressLine(task: TaskView): string {
  return `task ${task.id} ${task.state.replace('_', ' ')}: ${countsText(countTask(task))}`;
}

/** Only what changed is worth a plain line: the state or a count. */
export const progressKey = (task: TaskView) => `${task.state} ${countsText(countTask(task))}`;

export interface WaitOptions<T> {
  intervalMs: number;
  timeoutMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onUpdate?: (task: T) => void;
}

/** Reads a task (or a rebuild) until it has ended or the time is up; answers the last view and whether it ended. */
export async function waitForTask<T extends { state: string }>(
  read: () => Promise<T>,
  opts: WaitOptions<T>,
): Promise<{ task: T; ended: boolean }> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + opts.timeoutMs;
  for (;;) {
    const task = await read();
    opts.onUpdate?.(task);
    if (isFinished(task)) return { task, ended: true };
    if (now() >= deadline) return { task, ended: false };
    await sleep(opts.intervalMs);
  }
}

/** A rebuild as `POST /admin/rebuild` (202) or `GET /admin/rebuilds/:id` answers it. */
export interface RebuildView {
  id: string;
  state: 'running' | 'succeeded' | 'failed';
  replayed: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

/** A rebuild that ended within the service's wait: `POST /admin/rebuild` answers 200 with this. */
export interface RebuildDone {
  rebuilt: true;
  id: string;
  events: number;
  durationMs: number;
}

/** Both answers of a rebuild as one view: a 200 is a rebuild that has succeeded. */
export function rebuildViewOf(answer: RebuildDone | RebuildView): RebuildView {
  if ('rebuilt' in answer) {
    return {
      id: answer.id,
      state: 'succeeded',
      replayed: answer.events,
      total: answer.events,
      startedAt: '',
      finishedAt: '',
      durationMs: answer.durationMs,
      error: null,
    };
  }
  return answer;
}

export const rebuildLine = (service: string, r: RebuildView) =>
  `rebuild of the ${service} ${r.state}: ${r.replayed}/${r.total || (r.state === 'running' ? '?' : 0)} events replayed${r.durationMs !== null ? ` in ${r.durationMs} ms` : ''}${r.error ? ` (${r.error})` : ''}`;
