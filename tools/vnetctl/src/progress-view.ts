import cliProgress from 'cli-progress';
import { countTask, progressKey, progressLine, rebuildLine, type RebuildView, type TaskView } from './task-progress.js';

/** Where progress goes: a live bar on a terminal, else a plain line whenever something changed. */
export interface ProgressOut {
  write(text: string): void;
  /** The stream a bar draws on (a terminal), or null for plain lines. */
  tty: NodeJS.WriteStream | null;
}

/** The live per-host bar of a task: hosts done of the total, and how each ended. */
export class TaskProgress {
  private bar: cliProgress.SingleBar | null = null;
  private lastKey = '';

  constructor(private readonly out: ProgressOut) {}

  update(task: TaskView): void {
    const c = countTask(task);
    if (!this.out.tty) {
      const key = progressKey(task);
      if (key !== this.lastKey) this.out.write(`${progressLine(task)}\n`);
      this.lastKey = key;
      return;
    }
    const payload = { applied: c.applied, rolledBack: c.rolledBack, failed: c.failed, state: task.state.replace('_', ' ') };
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.out.tty,
          format: `task ${task.id.slice(0, 8)} {bar} {value}/{total} hosts | {applied} applied | {rolledBack} rolled back | {failed} failed | {state}`,
          hideCursor: true,
          clearOnComplete: false,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(c.total, c.done, payload);
    } else {
      this.bar.setTotal(c.total);
      this.bar.update(c.done, payload);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/** The bar of a rebuild: events replayed of the total. */
export class RebuildProgress {
  private bar: cliProgress.SingleBar | null = null;
  private lastLine = '';

  constructor(
    private readonly out: ProgressOut,
    private readonly service: string,
  ) {}

  update(r: RebuildView): void {
    if (!this.out.tty) {
      const line = rebuildLine(this.service, r);
      if (line !== this.lastLine) this.out.write(`${line}\n`);
      this.lastLine = line;
      return;
    }
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.out.tty,
          format: `rebuild ${this.service} {bar} {value}/{total} events | {state}`,
          hideCursor: true,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(r.total, 1), r.replayed, { state: r.state });
    } else {
      this.bar.setTotal(Math.max(r.total, 1));
      this.bar.update(r.replayed, { state: r.state });
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
