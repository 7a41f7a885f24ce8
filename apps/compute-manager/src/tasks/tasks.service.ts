import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { NotFoundError, SERVICE_CONFIG, type SqlClient } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import type { ComputeManagerConfig } from '../config/compute-manager.config.js';
import type { TaskView } from './dto/task.view.js';
import { expire, type HostOutcome, newTask, type Task, type TaskTarget } from './task.js';
import { TaskRepository } from './task.repository.js';
import { TaskTracker } from './task-tracker.js';
import { TaskWriteBack } from './task-write-back.js';
import { TaskMetrics } from './task.metrics.js';

const FLUSH_MS = 50;
const SWEEP_MS = 1000;

export type OutcomeListener = (outcome: HostOutcome) => void;
export type TaskListener = (task: Task) => void;

/**
 * Tasks track each host's outcome of a change: applied in memory at once by the tracker, changed
 * tasks written back in one statement per flush (so a restart finds them), a running task found at
 * boot goes on, and one nobody tracks ends at its deadline.
 */
@Injectable()
export class TasksService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Tasks');
  private readonly tracker = new TaskTracker((task, hostId) => this.changed(task, hostId));
  private readonly writeBack: TaskWriteBack;
  private readonly listeners: OutcomeListener[] = [];
  private readonly taskListeners: TaskListener[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private lastSweep = 0;

  constructor(
    private readonly repository: TaskRepository,
    @Inject(SERVICE_CONFIG) private readonly config: ComputeManagerConfig,
    private readonly metrics: TaskMetrics,
  ) {
    this.writeBack = new TaskWriteBack(
      (id) => this.tracker.get(id),
      (rows) => this.repository.update(rows),
    );
  }

  async onModuleInit(): Promise<void> {
    const now = new Date();
    for (const task of await this.repository.running()) this.tracker.track(task, now);
    this.timer = setInterval(() => this.tick(), FLUSH_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** A host's outcome (validated at the edge): applied to its tasks, then told to the listeners. */
  outcome(outcome: HostOutcome): void {
    this.tracker.outcome(outcome, new Date());
    for (const listener of this.listeners) listener(outcome);
  }

  /** Called with every host outcome, after the tasks took it (a rollback is reacted to this way). */
  onOutcome(listener: OutcomeListener): void {
    this.listeners.push(listener);
  }

  /** Called with every task that changed (a host's outcome, its end); also for one just activated. */
  onTaskChanged(listener: TaskListener): void {
    this.taskListeners.push(listener);
  }

  /**
   * The latest `limit` tasks, newest first, as they are now: a task this process tracks is read
   * from memory (the table lags it by a flush).
   */
  async recent(limit: number): Promise<TaskView[]> {
    return (await this.repository.recent(limit)).map((stored) => view(this.peek(stored.id) ?? stored));
  }

  /**
   * Creates a task in the caller's transaction (it commits with the change it tracks), and tracks
   * it once that commits (`activate`).
   */
  async create(client: SqlClient, kind: string, hostIds: string[], target: TaskTarget, unchanged = false): Promise<Task> {
    const task = newTask(randomUUID(), kind, hostIds, target, new Date(), this.config.TASK_TIMEOUT_MS, unchanged);
    await this.repository.insert(client, task);
    return task;
  }

  /**
   * A ports task for each host given (kind `kind`, target the host's ports), created in the caller's
   * transaction in one statement, each at the host's ports revision in that transaction (after the
   * changes it made); answered in order.
   */
  async createPortsTasks(client: SqlClient, kind: string, hostIds: readonly string[]): Promise<Task[]> {
    const now = new Date();
    const tasks = hostIds.map((hostId) =>
      newTask(randomUUID(), kind, [hostId], { kind: 'ports', targetId: hostId, revision: 0 }, now, this.config.TASK_TIMEOUT_MS),
    ) as Array<Task & { target: { kind: 'ports' } }>;
    const revisions = await this.repository.insertPortsTasks(client, tasks);
    for (const task of tasks) task.target = { ...task.target, revision: revisions.get(task.id) ?? 0 };
    return tasks;
  }

  activate(task: Task): void {
    for (const listener of this.taskListeners) listener(task);
    if (task.state !== 'running') return this.metrics.finished(task);
    this.tracker.track(task, new Date());
  }

  async get(id: string): Promise<TaskView> {
    const task = this.peek(id) ?? (await this.repository.find(id));
    if (!task) throw new NotFoundError('task', id);
    return view(task);
  }

  /**
   * Resolves once `hostId` reported `kind` of `targetId` at `revision` or later (applied, or not),
   * or null after `timeoutMs`. An outcome that arrived before the call counts: a host can answer
   * before the caller is ready to listen.
   */
  waitForOutcome(
    hostId: string,
    kind: HostOutcome['kind'],
    targetId: string,
    revision: number,
    timeoutMs: number,
  ): Promise<HostOutcome | null> {
    const known = this.tracker.latestOutcome(hostId, kind, targetId);
    if (known && known.revision >= revision) return Promise.resolve(known);
    return this.tracker.waitFor(
      (o) => o.hostId === hostId && o.kind === kind && o.targetId === targetId && o.revision >= revision,
      timeoutMs,
    );
  }

  /** A task is read from memory while it runs or awaits its last write. */
  peek(id: string): Task | undefined {
    return this.tracker.get(id) ?? this.writeBack.peek(id);
  }

  /** The task changed: one host's entry, or (without `hostId`) any of them. */
  private changed(task: Task, hostId?: string): void {
    this.metrics.changed(task, hostId);
    this.writeBack.changed(task, hostId);
    for (const listener of this.taskListeners) listener(task);
  }

  private tick(): void {
    const now = new Date();
    this.tracker.expire(now);
    if (this.writeBack.pending) this.flushing = this.flushing.then(() => this.flush());
    if (now.getTime() - this.lastSweep >= SWEEP_MS) {
      this.lastSweep = now.getTime();
      this.flushing = this.flushing.then(() => this.sweep());
    }
  }

  /**
   * A stored task past its deadline that this process does not track (another instance started it
   * and died, or it was never handed over) ends here: its pending hosts failed, named.
   */
  private async sweep(): Promise<void> {
    try {
      const now = new Date();
      for (const task of await this.repository.overdueUntracked([...this.tracker.ids(), ...this.writeBack.finishedIds()])) {
        if (expire(task, now)) {
          this.logger.warn({ msg: 'ended a stored task nobody tracked', taskId: task.id });
          this.changed(task);
        }
      }
    } catch (err) {
      this.logger.warn({ msg: 'task sweep failed', error: String((err as Error).message) });
    }
  }

  private async flush(): Promise<void> {
    try {
      await this.writeBack.flush();
    } catch (err) {
      this.logger.warn({ msg: 'task write failed; retrying', error: String((err as Error).message) });
    }
  }
}

function view(t: Task): TaskView {
  return { id: t.id, kind: t.kind, state: t.state, hosts: t.hosts, startedAt: t.startedAt, finishedAt: t.finishedAt };
}
