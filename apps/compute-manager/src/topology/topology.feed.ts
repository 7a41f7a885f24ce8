import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EventLog } from '@vnet/events';
import { TasksService } from '../tasks/tasks.service.js';
import { activityOf } from './activity.js';
import { Coalescer } from './coalescer.js';
import { ACTIVITY_KEPT, type ActivityEntry, diffTopology, isEmptyChange, type Topology, type TopologyChange, type TopologySnapshot, toSnapshot } from './topology.js';
import { TopologySource } from './topology.source.js';

/** At most this many changes a second reach a browser, whatever the hosts do. */
export const FEED_INTERVAL_MS = 250;
/** How often the hosts' liveness is looked at (a host goes quiet without any event). */
const LIVENESS_CHECK_MS = 1000;
/**
 * Watchers see the topology read again at least this often: a task another instance of the manager
 * tracks, or a host whose heartbeats it answers, changes nothing this one is told of.
 */
const REREAD_EVERY_CHECKS = 5;

export type ChangeListener = (change: TopologyChange) => void;

/**
 * The live topology for the UI's watchers: the topology is read again when the log commits, a task
 * changes or a host's liveness turns, at most every FEED_INTERVAL_MS, and what changed is told to
 * every watcher. Nothing is read while nobody watches.
 */
@Injectable()
export class TopologyFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TopologyFeed');
  private readonly listeners = new Set<ChangeListener>();
  private readonly gate = new Coalescer(FEED_INTERVAL_MS, () => this.refresh(), (err) =>
    this.logger.warn({ msg: 'topology refresh failed', error: String((err as Error)?.message ?? err) }),
  );
  private current: Topology | null = null;
  private loading: Promise<Topology> | null = null;
  private activity: ActivityEntry[] = [];
  private activitySeeded = false;
  private livenessTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly source: TopologySource,
    private readonly tasks: TasksService,
    @Inject(EventLog) private readonly log: EventLog,
  ) {}

  onModuleInit(): void {
    this.log.onCommitted((events) => {
      for (const e of events) {
        const entry = activityOf(e);
        if (entry) this.addActivity([entry]);
      }
      this.changed();
    });
    this.tasks.onTaskChanged(() => this.changed());
  }

  onApplicationShutdown(): void {
    this.gate.stop();
    this.stopLivenessCheck();
    this.listeners.clear();
  }

  /** The topology now, and from then on every change to it, until `unsubscribe`. */
  async subscribe(listener: ChangeListener): Promise<{ snapshot: TopologySnapshot; unsubscribe: () => void }> {
    const current = await this.currentTopology();
    this.listeners.add(listener);
    this.startLivenessCheck();
    return {
      snapshot: toSnapshot(current),
      unsubscribe: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) {
          this.stopLivenessCheck();
          this.current = null;
        }
      },
    };
  }

  /** The topology as it is now (read afresh unless watchers keep it current). */
  async snapshot(): Promise<TopologySnapshot> {
    return toSnapshot(this.listeners.size > 0 && this.current ? this.current : await this.read());
  }

  private changed(): void {
    if (this.listeners.size > 0) this.gate.request();
  }

  private async currentTopology(): Promise<Topology> {
    if (this.current && this.listeners.size > 0) return this.current;
    await this.gate.idle();
    this.loading ??= this.read().finally(() => (this.loading = null));
    const read = await this.loading;
    this.current ??= read;
    return this.current;
  }

  private async read(): Promise<Topology> {
    if (!this.activitySeeded) {
      this.addActivity(await this.source.recentActivity(new Date()));
      this.activitySeeded = true;
    }
    return this.source.read([...this.activity]);
  }

  private async refresh(): Promise<void> {
    const before = this.current;
    if (!before || this.listeners.size === 0) return;
    const after = await this.source.read([...this.activity]);
    if (this.current !== before) return;
    this.current = after;
    const change = diffTopology(before, after);
    if (isEmptyChange(change)) return;
    for (const listener of this.listeners) listener(change);
  }

  private addActivity(entries: ActivityEntry[]): void {
    const known = new Set(this.activity.map((a) => a.id));
    const fresh = entries.filter((e) => !known.has(e.id));
    if (fresh.length) this.activity = [...this.activity, ...fresh].slice(-ACTIVITY_KEPT);
  }

  private startLivenessCheck(): void {
    let checks = 0;
    this.livenessTimer ??= setInterval(() => {
      if (++checks % REREAD_EVERY_CHECKS === 0) return this.changed();
      const now = Date.now();
      for (const host of this.current?.hosts.values() ?? []) {
        if (this.source.connectionState(host.id, now) !== host.connectionState) return this.changed();
      }
    }, LIVENESS_CHECK_MS);
  }

  private stopLivenessCheck(): void {
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = null;
  }
}
