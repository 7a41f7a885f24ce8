import type { Logger } from '@nestjs/common';
import { KvWatchInclude, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';

const RESTART_MS = 1000;

/**
 * One watch of a bucket's keys under `filter`, delivering changes from the moment it starts (a host
 * reads current values itself when it joins). The client's ordered consumer survives NATS restarts;
 * if the watch ends anyway it is started again from the revision after the last one delivered, so
 * that nothing in between is missed.
 */
export class KvFeed {
  private iterator: QueuedIterator<KvWatchEntry> | null = null;
  private stopped = false;
  private lastRevision = 0;
  private markReady!: () => void;
  /** Resolves once the watch is in place: changes after this are delivered. */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    private readonly bucket: () => Promise<KV>,
    private readonly filter: string,
    private readonly deliver: (entry: KvWatchEntry) => void,
    private readonly logger: Logger,
  ) {}

  start(): this {
    void this.run();
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.iterator?.stop();
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      try {
        const kv = await this.bucket();
        const iterator = await kv.watch(
          this.lastRevision > 0 ? { key: this.filter, resumeFromRevision: this.lastRevision + 1 } : { key: this.filter, include: KvWatchInclude.UpdatesOnly },
        );
        if (this.stopped) {
          iterator.stop();
          return;
        }
        this.iterator = iterator;
        this.markReady();
        failures = 0;
        for await (const entry of iterator) {
          this.lastRevision = entry.revision;
          try {
            this.deliver(entry);
          } catch (err) {
            this.logger.error({ msg: 'desired-state entry not delivered', key: entry.key, error: String(err) });
          }
        }
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 30 === 0) this.logger.warn({ msg: 'watch failed, restarting', filter: this.filter, error: String(err) });
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, RESTART_MS));
    }
  }
}
