export type TaskState = 'running' | 'succeeded' | 'failed' | 'rolled_back';
export type HostTaskState = 'pending' | 'succeeded' | 'failed' | 'rolled_back';

/** What a task waits for: every host to report `kind` of `targetId` applied at `revision` or later. */
export interface TaskTarget {
  kind: 'switch' | 'ports';
  targetId: string;
  revision: number;
}

export interface Task {
  id: string;
  kind: string;
  state: TaskState;
  hosts: Record<string, { state: HostTaskState; detail: string | null }>;
  target: TaskTarget;
  startedAt: string;
  finishedAt: string | null;
  deadline: number;
}

export interface HostOutcome {
  hostId: string;
  kind: TaskTarget['kind'];
  targetId: string;
  revision: number;
  state: 'applied' | 'rolled_back' | 'failed';
  detail?: string;
  /** For `rolled_back`: the revision of the saved config the host runs again. */
  restoredRevision?: number;
}

/**
 * Hosts still pending per task, counted once and then kept up to date: 2,000 hosts answering one
 * task must not each cost a pass over 2,000 hosts.
 */
const pendingHosts = new WeakMap<Task, number>();

function countPending(task: Task): number {
  let n = pendingHosts.get(task);
  if (n === undefined) {
    n = 0;
    for (const host of Object.values(task.hosts)) if (host.state === 'pending') n++;
    pendingHosts.set(task, n);
  }
  return n;
}

/**
 * Applies a host's outcome to a task (pure). A revision at or past the task's counts: a later change
 * supersedes it and carries it. Returns true when the task changed.
 */
export function applyOutcome(task: Task, outcome: HostOutcome, now: Date): boolean {
  const host = task.hosts[outcome.hostId];
  if (task.state !== 'running' || !host || host.state !== 'pending') return false;
  if (outcome.kind !== task.target.kind || outcome.targetId !== task.target.targetId) return false;
  if (outcome.state === 'applied' && outcome.revision < task.target.revision) return false;
  // A rollback or failure names the revision that was refused: an older one is not this task's.
  if (outcome.state !== 'applied' && outcome.revision !== task.target.revision) return false;
  pendingHosts.set(task, countPending(task) - 1);
  host.state = outcome.state === 'applied' ? 'succeeded' : outcome.state;
  host.detail = outcome.detail ?? (outcome.state === 'applied' ? `applied revision ${outcome.revision}` : null);
  settle(task, now);
  return true;
}

/** The detail of a host that was still pending when its task's deadline passed. */
export const HOST_TIMED_OUT_DETAIL = 'the host did not report the change applied in time';

/** Hosts still pending at the deadline failed: named, with the reason. */
export function expire(task: Task, now: Date): boolean {
  if (task.state !== 'running' || now.getTime() < task.deadline) return false;
  for (const host of Object.values(task.hosts)) {
    if (host.state === 'pending') {
      host.state = 'failed';
      host.detail = HOST_TIMED_OUT_DETAIL;
    }
  }
  pendingHosts.set(task, 0);
  settle(task, now);
  return true;
}

function settle(task: Task, now: Date): void {
  if (countPending(task) > 0) return;
  const states = Object.values(task.hosts).map((h) => h.state);
  task.state = states.includes('rolled_back') ? 'rolled_back' : states.includes('failed') ? 'failed' : 'succeeded';
  task.finishedAt = now.toISOString();
}

/** A new task; `unchanged` makes it one for a change that changed nothing: done at once, on every host. */
export function newTask(id: string, kind: string, hostIds: string[], target: TaskTarget, now: Date, timeoutMs: number, unchanged = false): Task {
  const host = unchanged ? { state: 'succeeded' as HostTaskState, detail: 'nothing to change' } : { state: 'pending' as HostTaskState, detail: null };
  const task: Task = {
    id,
    kind,
    state: 'running',
    hosts: Object.fromEntries(hostIds.map((h) => [h, { ...host }])),
    target,
    startedAt: now.toISOString(),
    finishedAt: null,
    deadline: now.getTime() + timeoutMs,
  };
  settle(task, now);
  return task;
}
