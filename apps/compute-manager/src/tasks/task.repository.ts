import { Injectable } from '@nestjs/common';
import { poolOf, type SqlClient } from '@vnet/events';
import { DataSource } from 'typeorm';
import type { Task, TaskTarget } from './task.js';
import type { TaskRowUpdate } from './task-write-back.js';

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

/** The `tasks` table: operational records of host work, outside the log, that survive restarts. */
@Injectable()
export class TaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get pool(): SqlClient {
    return poolOf(this.dataSource);
  }

  /** Inserts a new task in the caller's transaction: it commits with the change it tracks. */
  async insert(client: SqlClient, task: Task): Promise<void> {
    await client.query(
      `INSERT INTO tasks (id, kind, state, hosts, target, started_at, finished_at, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        task.id,
        task.kind,
        task.state,
        JSON.stringify(task.hosts),
        JSON.stringify(task.target),
        task.startedAt,
        task.finishedAt,
        new Date(task.deadline),
      ],
    );
  }

  /**
   * Inserts ports tasks (target kind `ports`, one host each) in one statement, each at its host's
   * ports revision in the caller's transaction, read by the same statement: answers each task's
   * revision, by id.
   */
  async insertPortsTasks(
    client: SqlClient,
    tasks: ReadonlyArray<Task & { target: { kind: 'ports' } }>,
  ): Promise<Map<string, number>> {
    if (tasks.length === 0) return new Map();
    const { rows } = await client.query<{ id: string; revision: number }>({
      name: 'tasks_insert_ports',
      text: `INSERT INTO tasks (id, kind, state, hosts, target, started_at, finished_at, deadline)
       SELECT t.id, t.kind, t.state, t.hosts, jsonb_build_object('kind', 'ports', 'targetId', t.host_id, 'revision', coalesce(r.revision, 0)),
              t.started_at, t.finished_at, t.deadline
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
         AS t(id, kind, state, hosts, host_id, started_at, finished_at, deadline)
       LEFT JOIN host_port_revisions r ON r.host_id = t.host_id
       RETURNING id, (target->>'revision')::int AS revision`,
      values: [
        tasks.map((t) => t.id),
        tasks.map((t) => t.kind),
        tasks.map((t) => t.state),
        tasks.map((t) => JSON.stringify(t.hosts)),
        tasks.map((t) => t.target.targetId),
        tasks.map((t) => t.startedAt),
        tasks.map((t) => t.finishedAt),
        tasks.map((t) => new Date(t.deadline)),
      ],
    });
    return new Map(rows.map((r) => [r.id, r.revision]));
  }

  async running(): Promise<Task[]> {
    const { rows } = await this.pool.query<TaskRow>("SELECT * FROM tasks WHERE state = 'running'");
    return rows.map(fromRow);
  }

  async find(id: string): Promise<Task | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const { rows } = await this.pool.query<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** The latest `limit` tasks, newest first. */
  async recent(limit: number): Promise<Task[]> {
    const { rows } = await this.pool.query<TaskRow>('SELECT * FROM tasks ORDER BY started_at DESC LIMIT $1', [limit]);
    return rows.map(fromRow);
  }

  /** Running tasks past their deadline (with a second's grace) that are not among `tracked`. */
  async overdueUntracked(tracked: string[]): Promise<Task[]> {
    const { rows } = await this.pool.query<TaskRow>(
      `SELECT * FROM tasks WHERE state = 'running' AND deadline < now() - interval '1 second' AND NOT (id = ANY($1::uuid[]))`,
      [tracked],
    );
    return rows.map(fromRow);
  }

  /** One statement for every changed task: its state, the changed hosts' entries merged in. */
  async update(rows: TaskRowUpdate[]): Promise<void> {
    await this.pool.query(
      `UPDATE tasks t SET state = u.state, hosts = t.hosts || u.hosts, finished_at = u.finished_at
       FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::timestamptz[]) AS u(id, state, hosts, finished_at)
       WHERE t.id = u.id`,
      [rows.map((r) => r.id), rows.map((r) => r.state), rows.map((r) => r.hosts), rows.map((r) => r.finishedAt)],
    );
  }
}

// bigint-free row, but timestamps arrive as Date: converted here, at the edge.
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
