import { applyOutcome, expire, type HostOutcome, type Task } from './task.js';

type Waiter = { match: (o: HostOutcome) => boolean; resolve: (o: HostOutcome | null) => void };

/**
 * The running tasks of this process and the hosts' latest outcomes, in memory (2,000 hosts answer a
 * push within milliseconds): an outcome is applied to the tasks of its target at once, and wakes
 * whoever waits for it. Plain TypeScript: `onChanged` is told of every task that changed.
 */
export class TaskTracker {
  private readonly running = new Map<string, Task>();
  private readonly byTarget = new Map<string, Set<string>>();
  /** Each host's latest outcome per target (live state, as liveness is). */
  private readonly latest = new Map<string, HostOutcome>();
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly onChanged: (task: Task, hostId?: string) => void) {}

  get(id: string): Task | undefined {
    return this.running.get(id);
  }

  ids(): string[] {
    return [...this.running.keys()];
  }

  /** Tracks a running task; an outcome a host sent before the task was tracked counts. */
  track(task: Task, now: Date): void {
    if (task.state !== 'running') return;
    this.running.set(task.id, task);
    const key = targetKey(task.target.kind, task.target.targetId);
    const set = this.byTarget.get(key) ?? new Set<string>();
    set.add(task.id);
    this.byTarget.set(key, set);
    for (const hostId of Object.keys(task.hosts)) {
      const known = this.latest.get(outcomeKey(hostId, task.target.kind, task.target.targetId));
      if (known && applyOutcome(task, known, now)) this.changed(task, hostId);
    }
  }

  outcome(o: HostOutcome, now: Date): void {
    const key = outcomeKey(o.hostId, o.kind, o.targetId);
    const known = this.latest.get(key);
    if (!known || o.revision >= known.revision) this.latest.set(key, o);
    for (const w of [...this.waiters]) if (w.match(o)) w.resolve(o);
    const ids = this.byTarget.get(targetKey(o.kind, o.targetId));
    if (!ids) return;
    for (const id of ids) {
      const task = this.running.get(id);
      if (task && applyOutcome(task, o, now)) this.changed(task, o.hostId);
    }
  }

  /** Ends the tasks whose deadline passed: their pending hosts failed. */
  expire(now: Date): void {
    for (const task of [...this.running.values()]) if (expire(task, now)) this.changed(task);
  }

  latestOutcome(hostId: string, kind: HostOutcome['kind'], targetId: string): HostOutcome | undefined {
    return this.latest.get(outcomeKey(hostId, kind, targetId));
  }

  /** Resolves with the first outcome `match` accepts, or null after `timeoutMs`. */
  waitFor(match: (o: HostOutcome) => boolean, timeoutMs: number): Promise<HostOutcome | null> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        match,
        resolve: (o) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(o);
        },
      };
      const timer = setTimeout(() => waiter.resolve(null), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private changed(task: Task, hostId?: string): void {
    if (task.state !== 'running') {
      this.running.delete(task.id);
      this.byTarget.get(targetKey(task.target.kind, task.target.targetId))?.delete(task.id);
    }
    this.onChanged(task, hostId);
  }
}

const targetKey = (kind: string, targetId: string) => `${kind}:${targetId}`;
const outcomeKey = (hostId: string, kind: string, targetId: string) => `${hostId}|${kind}|${targetId}`;
