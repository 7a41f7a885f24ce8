/** How far a rebuild is: events replayed, of the log's events when it began. */
export interface RebuildProgress {
  replayed: number;
  total: number;
}

export type RebuildState = 'running' | 'succeeded' | 'failed';

/** One `POST /admin/rebuild`: how far the replay is, and how it ended. */
export interface RebuildTask {
  id: string;
  state: RebuildState;
  /** Events replayed so far. */
  replayed: number;
  /** Events in the log when the replay began (writers wait for it: none are added meanwhile). */
  total: number;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  /** Why it failed (the read models are then as they were before: a rebuild is one transaction). */
  error: string | null;
}

/** What runs a rebuild: the event log's `rebuild`. */
export type RebuildRunner = (onProgress: (progress: RebuildProgress) => void) => Promise<{ events: number }>;

/** Finished rebuilds kept readable, the latest ones. */
const KEPT = 50;

/**
 * The service's rebuilds, in its memory: one runs at a time (a request while one runs joins it), and
 * the latest ones stay readable by id. A restart forgets them; it also ends a rebuild under way,
 * whose transaction then rolls back and leaves the read models as they were.
 */
export class RebuildTasks {
  private readonly tasks = new Map<string, RebuildTask>();
  private running: { task: RebuildTask; done: Promise<RebuildTask> } | null = null;
  private readonly failures = new WeakMap<RebuildTask, unknown>();

  constructor(
    private readonly run: RebuildRunner,
    private readonly newId: () => string,
  ) {}

  /** Starts a rebuild, or joins the one running; `done` settles with the task once it has ended. */
  start(): { task: RebuildTask; done: Promise<RebuildTask> } {
    if (this.running) return this.running;
    const task: RebuildTask = {
      id: this.newId(),
      state: 'running',
      replayed: 0,
      total: 0,
      startedAt: new Date(),
      finishedAt: null,
      durationMs: null,
      error: null,
    };
    this.tasks.set(task.id, task);
    for (const id of [...this.tasks.keys()].slice(0, Math.max(0, this.tasks.size - KEPT))) this.tasks.delete(id);
    const t0 = performance.now();
    const done = this.run((p) => Object.assign(task, p))
      .then(
        ({ events }) =>
          Object.assign(task, { state: 'succeeded' as const, replayed: events, total: Math.max(task.total, events) }),
        (err: unknown) => {
          this.failures.set(task, err);
          return Object.assign(task, { state: 'failed' as const, error: err instanceof Error ? err.message : String(err) });
        },
      )
      .then((t) => {
        Object.assign(t, { finishedAt: new Date(), durationMs: Math.round(performance.now() - t0) });
        this.running = null;
        return t;
      });
    this.running = { task, done };
    return this.running;
  }

  /** What a failed rebuild threw (to answer it as any other error while the request still waits). */
  failureOf(task: RebuildTask): unknown {
    return this.failures.get(task);
  }

  get(id: string): RebuildTask | undefined {
    return this.tasks.get(id);
  }

  /** The rebuild under way, if any. */
  get current(): RebuildTask | null {
    return this.running?.task ?? null;
  }
}
