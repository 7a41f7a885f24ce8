import type { Command } from 'commander';
import { type ConfigSources, resolveConfig, type ResolvedConfig, type ServiceName, SERVICE_SETTINGS } from './config.js';
import { TaskNotSucceeded, UsageError } from './errors.js';
import { details, table } from './format.js';
import { ApiClient, serverTextOf } from './http-client.js';
import { type ProgressOut, TaskProgress } from './progress-view.js';
import { integer } from './requests.js';
import { countsText, countTask, type TaskView, unsuccessfulHosts, waitForTask } from './task-progress.js';

/** What a run of vnetctl writes to and reads from; tests and the binary give their own. */
export interface Io {
  stdout: { write(text: string): void; isTTY?: boolean };
  stderr: { write(text: string): void; isTTY?: boolean };
  /** The terminal a progress bar may draw on (stdout when it is one). */
  tty: NodeJS.WriteStream | null;
  sources: Omit<ConfigSources, 'flags'>;
}

export interface GlobalOptions {
  json?: boolean;
  token?: string;
  dataDir?: string;
  networkManagerUrl?: string;
  computeManagerUrl?: string;
  hostAgentUrl?: string;
  requestTimeout?: string;
}

/** One command's run: its options, the configuration found, the clients and the output. */
export class Ctx {
  private config: ResolvedConfig | null = null;

  constructor(
    readonly io: Io,
    readonly opts: Record<string, any>,
  ) {}

  get json(): boolean {
    return Boolean(this.opts.json);
  }

  resolved(): ResolvedConfig {
    this.config ??= resolveConfig({ ...this.io.sources, flags: this.opts });
    return this.config;
  }

  client(service: ServiceName): ApiClient {
    const config = this.resolved();
    if (!config.token) {
      throw new UsageError(
        'no admin token: give --token, set VNET_TOKEN or ADMIN_TOKEN, or run where npm start keeps its data (or give --data-dir / VNET_DATA_DIR)',
      );
    }
    const timeout = this.opts.requestTimeout === undefined ? 30000 : integer('--request-timeout', this.opts.requestTimeout);
    return new ApiClient(service, config.urls[service].value, config.token.value, timeout, this.opts.idempotencyKey);
  }

  print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** JSON for scripts: a service's answer as it came, anything vnetctl put together indented. */
  printJson(value: unknown): void {
    this.print(serverTextOf(value) ?? JSON.stringify(value, null, 2));
  }

  /** The server's JSON with --json, else the human view of it. */
  show<T>(value: T, human: (value: T) => string): void {
    if (this.json) this.printJson(value);
    else this.print(human(value));
  }

  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** Progress: a bar when stdout is a terminal, plain lines otherwise; nothing with --json (stdout is the JSON). */
  progressOut(): ProgressOut | null {
    if (this.json) return null;
    return { write: (t) => this.io.stdout.write(t), tty: this.io.tty };
  }

  /**
   * What a command that started host work does next: without --no-wait, follows the task to its end
   * with the per-host bar and prints the outcome (non-zero exit unless it succeeded).
   */
  async followTask(answer: Record<string, any> & { taskId: string }, started: string): Promise<void> {
    if (this.opts.wait === false) {
      this.show(answer, () => `${started}\ntask ${answer.taskId} started (follow it: vnetctl tasks get ${answer.taskId} --wait)`);
      return;
    }
    if (!this.json) this.print(started);
    const task = await this.waitTask(answer.taskId);
    if (this.json) this.printJson({ ...answer, task });
    if (task.state !== 'succeeded') throw new TaskNotSucceeded(task.id, task.state);
  }

  /** Waits for a task with the bar, prints its outcome (not with --json), answers its last view. */
  async waitTask(taskId: string): Promise<TaskView> {
    const cm = this.client('compute-manager');
    const out = this.progressOut();
    const bar = out ? new TaskProgress(out) : null;
    const timeoutS = this.opts.waitTimeout === undefined ? 300 : integer('--wait-timeout', this.opts.waitTimeout);
    let result: { task: TaskView; ended: boolean };
    try {
      result = await waitForTask(() => cm.get<TaskView>(`/tasks/${encodeURIComponent(taskId)}`), {
        intervalMs: 250,
        timeoutMs: timeoutS * 1000,
        onUpdate: (t) => bar?.update(t),
      });
    } finally {
      bar?.stop();
    }
    const { task, ended } = result;
    if (!this.json) this.print(taskOutcome(task, ended));
    if (!ended) throw new TaskNotSucceeded(task.id, `still running after ${timeoutS} s`);
    return task;
  }
}

/** A task's end as the operator reads it: the outcome, then every host that did not succeed. */
export function taskOutcome(task: TaskView, ended = true): string {
  const head = `task ${task.id} (${task.kind}) ${ended ? task.state.replace('_', ' ') : 'still running'}: ${countsText(countTask(task))}`;
  const bad = unsuccessfulHosts(task);
  if (!bad.length) return head;
  return `${head}\nhosts that did not succeed:\n${table(
    [
      { header: 'host', value: (h) => h.hostId },
      { header: 'state', value: (h) => h.state.replace('_', ' ') },
      { header: 'detail', value: (h) => h.detail },
    ],
    bad,
  )}`;
}

export const taskDetails = (task: TaskView) =>
  `${details([
    ['id', task.id],
    ['kind', task.kind],
    ['state', task.state],
    ['startedAt', task.startedAt],
    ['finishedAt', task.finishedAt],
  ])}\n${table(
    [
      { header: 'host', value: (h: [string, TaskView['hosts'][string]]) => h[0] },
      { header: 'state', value: (h) => h[1].state },
      { header: 'detail', value: (h) => h[1].detail },
    ],
    Object.entries(task.hosts).sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true })),
  )}`;

/** Commander hands an action its arguments, then its options, then the command: the context from the last two. */
export type Action = (ctx: Ctx, ...args: string[]) => Promise<void>;

export function action(io: Io, fn: Action): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2) as string[];
    await fn(new Ctx(io, command.optsWithGlobals()), ...positional);
  };
}

export const serviceUrlFlag = (service: ServiceName) => `--${service}-url`;
export const serviceUrlVar = (service: ServiceName) => SERVICE_SETTINGS[service].urlVar;
