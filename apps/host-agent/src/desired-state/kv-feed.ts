import type { Logger } from '@nestjs/common';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { isMissingStream } from './desired-state.buckets.js';

const RESTART_MS = 1000;
/** Between a watch that ended and the next: never a tight loop. */
const RESUME_MS = 50;

/**
 * One watch of a bucket's keys under `filter`, delivering changes from the moment it starts (a host
 * reads current values itself when it joins). It starts after the bucket's last revision at that
 * time, and whenever it is started again (it ended, or NATS reconnected: a restarted server has lost
 * the watch's consumer, which the client would only notice after missed heartbeats) it resumes after
 * the last revision it delivered: nothing in between is missed.
 */
export class KvFeed {
  private iterator: QueuedIterator<KvWatchEntry> | null = null;
  private stopped = false;
  /** Everything up to this revision has been delivered (or predates the watch). */
  private lastRevision = -1;
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

  /** Starts the watch again where it is (after a reconnect). */
  restart(): void {
    this.iterator?.stop();
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stopped;) {
      try {
        const kv = await this.bucket();
        if (this.lastRevision < 0) {
          try {
            this.lastRevision = (await kv.status()).streamInfo.state.last_seq;
          } catch (err) {
            if (!isMissingStream(err)) throw err;
            // Not created yet: nothing to deliver so far, and everything once it is.
            this.lastRevision = 0;
            this.markReady();
            throw err;
          }
        }
        const iterator = await kv.watch({ key: this.filter, resumeFromRevision: this.lastRevision + 1 });
        if (this.stopped) {
          iterator.stop();
          return;
        }
        this.iterator = iterator;
        this.markReady();
        failures = 0;
        for await (const entry of iterator) {
          if (entry.revision > this.lastRevision) this.lastRevision = entry.revision;
          try {
            this.deliver(entry);
          } catch (err) {
            this.logger.error({ msg: 'desired-state entry not delivered', key: entry.key, error: String(err) });
          }
        }
      } catch (err) {
        failures++;
        if (isMissingStream(err)) this.markReady();
        else if (failures === 1 || failures % 30 === 0)
          this.logger.warn({ msg: 'watch failed, restarting', filter: this.filter, error: String(err) });
      }
      this.iterator = null;
      if (!this.stopped) await new Promise((r) => setTimeout(r, failures > 0 ? RESTART_MS : RESUME_MS));
    }
  }
}
