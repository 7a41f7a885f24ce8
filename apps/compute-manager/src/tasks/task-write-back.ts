import type { Task } from './task.js';

/** A task's row as one write leaves it. */
export interface TaskRowUpdate {
  id: string;
  state: Task['state'];
  hosts: string;
  finishedAt: string | null;
}

/**
 * Which tasks wait to be written, and the finished ones served from memory until their final state
 * is what the table holds. A write takes the tasks as they are when it starts: outcomes applied while
 * it runs change the objects and are written by the next one (they mark the task again), so a task
 * that finishes during a write is kept until a write of its final state succeeded.
 */
export class TaskWriteBack {
  private readonly dirty = new Set<string>();
  private readonly finished = new Map<string, Task>();

  constructor(
    /** A running task this process tracks. */
    private readonly running: (id: string) => Task | undefined,
    private readonly write: (rows: TaskRowUpdate[]) => Promise<void>,
  ) {}

  /** The task changed: it is written next time; a finished one is served from here meanwhile. */
  changed(task: Task): void {
    this.dirty.add(task.id);
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

  async flush(): Promise<void> {
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    const rows = ids
      .map((id) => this.running(id) ?? this.finished.get(id))
      .filter((t): t is Task => !!t)
      .map((t): TaskRowUpdate => ({ id: t.id, state: t.state, hosts: JSON.stringify(t.hosts), finishedAt: t.finishedAt }));
    try {
      await this.write(rows);
    } catch (err) {
      for (const id of ids) this.dirty.add(id);
      throw err;
    }
    for (const row of rows) if (row.state !== 'running') this.finished.delete(row.id);
  }
}
