import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { HOST_STATUS_SUBJECTS, type HostApplyStatus } from '@vnet/contracts';
import { NATS_CONNECTION, NotFoundError, SERVICE_CONFIG, type SqlClient } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ComputeManagerConfig } from '../config/compute-manager.config.js';
import { applyOutcome, expire, type HostOutcome, newTask, type Task, type TaskTarget } from './task.js';
import { TaskWriteBack } from './task-write-back.js';
import { TaskMetrics } from './task.metrics.js';
import type { TaskView } from './dto/task.view.js';

const FLUSH_MS = 50;
const SWEEP_MS = 1000;

/**
 * Tasks track each host's outcome of a change. Hosts' outcomes arrive on core NATS and are applied
 * in memory at once (2,000 hosts answer within milliseconds); changed tasks are written back in
 * one statement per flush, so a restart finds them, and a running task found at boot goes on.
 */
@Injectable()
export class TasksService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Tasks');
  private readonly running = new Map<string, Task>();
  private readonly byTarget = new Map<string, Set<string>>();
  /** Each host's latest outcome per target (live state, as liveness is). */
  private readonly latest = new Map<string, HostOutcome>();
  private readonly waiters = new Set<{ match: (o: HostOutcome) => boolean; resolve: (o: HostOutcome) => void }>();
  private subscription: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly writeBack = new TaskWriteBack(
    (id) => this.running.get(id),
    async (rows) => {
      await this.dataSource.query(
        `UPDATE tasks t SET state = u.state, hosts = t.hosts || u.hosts, finished_at = u.finished_at
         FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::timestamptz[]) AS u(id, state, hosts, finished_at)
         WHERE t.id = u.id`,
        [rows.map((r) => r.id), rows.map((r) => r.state), rows.map((r) => r.hosts), rows.map((r) => r.finishedAt)],
      );
    },
  );

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ComputeManagerConfig,
    private readonly metrics: TaskMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    const rows = await this.dataSource.query<TaskRow[]>("SELECT * FROM tasks WHERE state = 'running'");
    for (const row of rows) this.track(fromRow(row));
    this.subscription = this.nc.subscribe(HOST_STATUS_SUBJECTS, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const s = msg.json<HostApplyStatus>();
          if (typeof s?.hostId !== 'string' || typeof s.revision !== 'number') return;
          this.outcome({ hostId: s.hostId, kind: s.kind, targetId: s.targetId, revision: s.revision, state: s.state, detail: s.detail });
        } catch {
          this.logger.warn({ msg: 'unreadable host status', subject: msg.subject });
        }
      },
    });
    this.timer = setInterval(() => this.tick(), FLUSH_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /**
   * Creates a task in the caller's transaction (it commits with the change it tracks), and tracks
   * it once that commits (`activate`).
   */
  async create(client: SqlClient, kind: string, hostIds: string[], target: TaskTarget, unchanged = false): Promise<Task> {
    const task = newTask(randomUUID(), kind, hostIds, target, new Date(), this.config.TASK_TIMEOUT_MS, unchanged);
    await client.query(
      `INSERT INTO tasks (id, kind, state, hosts, target, started_at, finished_at, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [task.id, task.kind, task.state, JSON.stringify(task.hosts), JSON.stringify(task.target), task.startedAt, task.finishedAt, new Date(task.deadline)],
    );
    return task;
  }

  activate(task: Task): void {
    if (task.state !== 'running') return this.metrics.finished(task);
    this.track(task);
    // A host may have answered between the commit and now.
    const now = new Date();
    for (const hostId of Object.keys(task.hosts)) {
      const known = this.latest.get(`${hostId}|${task.target.kind}|${task.target.targetId}`);
      if (known && applyOutcome(task, known, now)) this.changed(task, hostId);
    }
  }

  async get(id: string): Promise<TaskView> {
    const live = this.peek(id);
    if (live) return view(live);
    const rows = /^[0-9a-f-]{36}$/i.test(id) ? await this.dataSource.query<TaskRow[]>('SELECT * FROM tasks WHERE id = $1', [id]) : [];
    if (rows.length === 0) throw new NotFoundError('task', id);
    return view(fromRow(rows[0]));
  }

  /**
   * Resolves once `hostId` reported `kind` of `targetId` at `revision` or later (applied, or not),
   * or null after `timeoutMs`. An outcome that arrived before the call counts: a host can answer
   * before the caller is ready to listen.
   */
  waitForOutcome(hostId: string, kind: HostOutcome['kind'], targetId: string, revision: number, timeoutMs: number): Promise<HostOutcome | null> {
    const known = this.latest.get(`${hostId}|${kind}|${targetId}`);
    if (known && known.revision >= revision) return Promise.resolve(known);
    return this.waitFor((o) => o.hostId === hostId && o.kind === kind && o.targetId === targetId && o.revision >= revision, timeoutMs);
  }

  /** Resolves with the first outcome `match` accepts, or null after `timeoutMs`. */
  waitFor(match: (o: HostOutcome) => boolean, timeoutMs: number): Promise<HostOutcome | null> {
    return new Promise((resolve) => {
      const waiter = {
        match,
        resolve: (o: HostOutcome | null) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(o);
        },
      };
      const timer = setTimeout(() => waiter.resolve(null), timeoutMs);
      this.waiters.add(waiter as never);
    });
  }

  private outcome(o: HostOutcome): void {
    const key = `${o.hostId}|${o.kind}|${o.targetId}`;
    const known = this.latest.get(key);
    if (!known || o.revision >= known.revision) this.latest.set(key, o);
    for (const w of [...this.waiters]) if (w.match(o)) w.resolve(o);
    const ids = this.byTarget.get(`${o.kind}:${o.targetId}`);
    if (!ids) return;
    const now = new Date();
    for (const id of ids) {
      const task = this.running.get(id);
      if (task && applyOutcome(task, o, now)) this.changed(task, o.hostId);
    }
  }

  private track(task: Task): void {
    this.running.set(task.id, task);
    const key = `${task.target.kind}:${task.target.targetId}`;
    const set = this.byTarget.get(key) ?? new Set<string>();
    set.add(task.id);
    this.byTarget.set(key, set);
  }

  /** The task changed: one host's entry, or (without `hostId`) any of them. */
  private changed(task: Task, hostId?: string): void {
    this.metrics.changed(task, hostId);
    if (task.state !== 'running') {
      this.running.delete(task.id);
      this.byTarget.get(`${task.target.kind}:${task.target.targetId}`)?.delete(task.id);
    }
    this.writeBack.changed(task, hostId);
  }

  private tick(): void {
    const now = new Date();
    for (const task of this.running.values()) if (expire(task, now)) this.changed(task);
    if (this.writeBack.pending) this.flushing = this.flushing.then(() => this.flush());
    if (now.getTime() - this.lastSweep >= SWEEP_MS) {
      this.lastSweep = now.getTime();
      this.flushing = this.flushing.then(() => this.sweep());
    }
  }

  private lastSweep = 0;

  /**
   * A stored task past its deadline that this process does not track (another instance started it
   * and died, or it was never handed over) ends here: its pending hosts failed, named.
   */
  private async sweep(): Promise<void> {
    try {
      const tracked = [...this.running.keys(), ...this.writeBack.finishedIds()];
      const rows = await this.dataSource.query<TaskRow[]>(
        `SELECT * FROM tasks WHERE state = 'running' AND deadline < now() - interval '1 second' AND NOT (id = ANY($1::uuid[]))`,
        [tracked],
      );
      const now = new Date();
      for (const row of rows) {
        const task = fromRow(row);
        if (expire(task, now)) {
          this.logger.warn({ msg: 'ended a stored task nobody tracked', taskId: task.id });
          this.metrics.changed(task);
          this.writeBack.changed(task);
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

  /** A task is read from memory while it runs or awaits its last write. */
  peek(id: string): Task | undefined {
    return this.running.get(id) ?? this.writeBack.peek(id);
  }
}

interface TaskRow {
  id: string;
  kind: string;
  state: Task['state'];
  hosts: Task['hosts'];
  target: TaskTarget;
  started_at: Date;
  finished_at: Date | null;
  deadline: Date;
}

function fromRow(r: TaskRow): Task {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    hosts: r.hosts,
    target: r.target,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
    deadline: r.deadline.getTime(),
  };
}

function view(t: Task): TaskView {
  return { id: t.id, kind: t.kind, state: t.state, hosts: t.hosts, startedAt: t.startedAt, finishedAt: t.finishedAt };
}
