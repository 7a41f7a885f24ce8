import { Injectable } from '@nestjs/common';
import { MetricsRegistry, SLOW_BUCKETS_SECONDS } from '@vnet/events';
import { Counter, Histogram } from 'prom-client';
import { HOST_TIMED_OUT_DETAIL, type HostTaskState, type Task } from './task.js';

type HostOutcomeLabel = Exclude<HostTaskState, 'pending'> | 'timed_out';

/**
 * Tasks as an operator watches them: how they end, how long they take, how long a push takes to
 * reach its last host, and what each host answered. A push of 2,000 hosts calls `changed` 2,000
 * times: the per-host path is one increment of a precomputed child and one map write.
 */
@Injectable()
export class TaskMetrics {
  private readonly tasks: Counter<'kind' | 'state'>;
  private readonly duration: Histogram<'kind'>;
  private readonly pushLatency: Histogram<'kind'>;
  private readonly hostOutcomes: Record<HostOutcomeLabel, Counter.Internal>;
  /** When each running task last heard from one of its hosts. */
  private readonly lastAnswerAt = new WeakMap<Task, number>();

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.tasks = new Counter({
      name: 'vnet_tasks_total',
      help: 'Tasks finished, by kind and final state (succeeded, failed, rolled_back)',
      labelNames: ['kind', 'state'] as const,
      registers,
    });
    this.duration = new Histogram({
      name: 'vnet_task_duration_seconds',
      help: 'From a task’s start to its end (every host answered, or the deadline passed), by kind',
      labelNames: ['kind'] as const,
      buckets: SLOW_BUCKETS_SECONDS,
      registers,
    });
    this.pushLatency = new Histogram({
      name: 'vnet_task_push_latency_seconds',
      help: 'From a task’s start to the outcome of the last of its hosts that answered, by kind',
      labelNames: ['kind'] as const,
      buckets: SLOW_BUCKETS_SECONDS,
      registers,
    });
    const outcomes = new Counter({
      name: 'vnet_task_host_outcomes_total',
      help: 'Hosts’ outcomes of tasks, by state (succeeded, failed, rolled_back, timed_out: no answer by the deadline)',
      labelNames: ['state'] as const,
      registers,
    });
    this.hostOutcomes = {
      succeeded: outcomes.labels('succeeded'),
      failed: outcomes.labels('failed'),
      rolled_back: outcomes.labels('rolled_back'),
      timed_out: outcomes.labels('timed_out'),
    };
  }

  /** The task changed: `hostId` answered, or (without it) its deadline passed. */
  changed(task: Task, hostId?: string): void {
    if (hostId !== undefined) {
      const state = task.hosts[hostId]?.state;
      if (state && state !== 'pending') this.hostOutcomes[state].inc();
      this.lastAnswerAt.set(task, Date.now());
    }
    if (task.state !== 'running') this.finished(task);
  }

  /** A task reached its final state (also one that had nothing to change and was done at once). */
  finished(task: Task): void {
    const kind = task.kind;
    const startedAt = Date.parse(task.startedAt);
    const finishedAt = task.finishedAt ? Date.parse(task.finishedAt) : Date.now();
    this.tasks.inc({ kind, state: task.state });
    this.duration.observe({ kind }, Math.max(0, finishedAt - startedAt) / 1000);
    const lastAnswer = this.lastAnswerAt.get(task);
    if (lastAnswer !== undefined) this.pushLatency.observe({ kind }, Math.max(0, lastAnswer - startedAt) / 1000);
    let timedOut = 0;
    for (const host of Object.values(task.hosts)) if (host.state === 'failed' && host.detail === HOST_TIMED_OUT_DETAIL) timedOut++;
    if (timedOut) this.hostOutcomes.timed_out.inc(timedOut);
  }
}
