import type { Task } from './task.js';

/** A task's row as one write leaves it. */
export interface TaskRowUpdate {
  id: string;
  state: Task['state'];
  /** The entries of the hosts that changed since the last write (a JSON object merged into the row's). */
  hosts: string;
  finishedAt: string | null;
}

/** How often a running task's progress is written at most; a finished task is written at once. */
export const RUNNING_WRITE_EVERY_MS = 250;

type Changed = Set<string> | 'all';

/**
 * Which tasks wait to be written, and the finished ones served from memory until their final state
 * is what the table holds. A write takes the tasks as they are when it starts: outcomes applied while
 * it runs change the objects and are written by the next one (they mark the task again), so a task
 * that finishes during a write is kept until a write of its final state succeeded.
 *
 * A write carries only the hosts whose entries changed, and a running task's progress is written at
 * most every `runningEveryMs`: 2,000 hosts answering a push within a second would otherwise rewrite
 * the task's 2,000 entries at every flush.
 */
export class TaskWriteBack {
  private readonly dirty = new Map<string, Changed>();
  private readonly finished = new Map<string, Task>();
  private readonly lastWritten = new Map<string, number>();

  constructor(
    /** A running task this process tracks. */
    private readonly running: (id: string) => Task | undefined,
    private readonly write: (rows: TaskRowUpdate[]) => Promise<void>,
    private readonly runningEveryMs = RUNNING_WRITE_EVERY_MS,
  ) {}

  /**
   * The task changed (the entry of `hostId`, or any of them): it is written by a later flush; a
   * finished one is served from here meanwhile.
   */
  changed(task: Task, hostId?: string): void {
    const known = this.dirty.get(task.id);
    if (hostId === undefined) this.dirty.set(task.id, 'all');
    else if (!known) this.dirty.set(task.id, new Set([hostId]));
    else if (known !== 'all') known.add(hostId);
    if (task.state !== 'running') this.finished.set(task.id, task);
  }

  get pending(): boolean {
    return this.dirty.size > 0;
  }

  /** A finished task not written yet. */
  peek(id: string): Task | undefined {
    return this.finished.get(id);
  }

  /** Tasks the table may still show running although they are not (or no longer) tracked as such. */
  finishedIds(): string[] {
    return [...this.finished.keys()];
  }

  /** Writes the finished tasks, and the running ones not written for `runningEveryMs`. */
  async flush(now = Date.now()): Promise<void> {
    const taken: Array<[string, Changed]> = [];
    const rows: TaskRowUpdate[] = [];
    for (const [id, changed] of this.dirty) {
      const task = this.running(id) ?? this.finished.get(id);
      if (!task) {
        this.dirty.delete(id);
        continue;
      }
      if (task.state === 'running' && now - (this.lastWritten.get(id) ?? -Infinity) < this.runningEveryMs) continue;
      this.dirty.delete(id);
      taken.push([id, changed]);
      rows.push({ id, state: task.state, hosts: JSON.stringify(changed === 'all' ? task.hosts : entries(task, changed)), finishedAt: task.finishedAt });
    }
    if (rows.length === 0) return;
    try {
      await this.write(rows);
    } catch (err) {
      for (const [id, changed] of taken) this.mark(id, changed);
      throw err;
    }
    for (const row of rows) {
      if (row.state === 'running') this.lastWritten.set(row.id, now);
      else {
        this.finished.delete(row.id);
        this.lastWritten.delete(row.id);
      }
    }
  }

  private mark(id: string, changed: Changed): void {
    const known = this.dirty.get(id);
    if (changed === 'all' || known === 'all') this.dirty.set(id, 'all');
    else if (!known) this.dirty.set(id, changed);
    else for (const hostId of changed) known.add(hostId);
  }
}

function entries(task: Task, hostIds: Set<string>): Task['hosts'] {
  const out: Task['hosts'] = {};
  for (const hostId of hostIds) if (task.hosts[hostId]) out[hostId] = task.hosts[hostId];
  return out;
}
