import type { Logger } from '@nestjs/common';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { isMissingStream } from './desired-state.buckets.js';

const RESTART_MS = 1000;
/** Between a watch that ended and the next: never a tight loop. */
const RESUME_MS = 50;

const CHECK_BUCKET_MS = 3000;

/** How often a running watch asks whether its consumer still exists (see `KvFeed.watchConsumer`). */
const CHECK_CONSUMER_MS = 2000;

/**
 * A watch does not end when its bucket is deleted (its consumer just stops hearing anything). One
 * check per bucket and process, every few seconds, whatever the number of feeds: a bucket gone, or
 * created again since, restarts every feed of it, which then reads it from its start.
 */
class BucketWatchdog {
  private static readonly byBucket = new Map<string, BucketWatchdog>();
  private readonly feeds = new Set<KvFeed>();
  private created: string | null = null;
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly kv: KV) {
    this.timer = setInterval(() => void this.check(), CHECK_BUCKET_MS);
    this.timer.unref();
  }

  static watch(name: string, kv: KV, feed: KvFeed, created: string): void {
    let dog = BucketWatchdog.byBucket.get(name);
    if (!dog) BucketWatchdog.byBucket.set(name, (dog = new BucketWatchdog(kv)));
    dog.created ??= created;
    dog.feeds.add(feed);
  }

  static unwatch(feed: KvFeed): void {
    for (const [name, dog] of BucketWatchdog.byBucket) {
      dog.feeds.delete(feed);
      if (dog.feeds.size === 0) {
        clearInterval(dog.timer);
        BucketWatchdog.byBucket.delete(name);
      }
    }
  }

  private async check(): Promise<void> {
    let created: string | null;
    try {
      created = (await this.kv.status()).streamInfo.created;
    } catch {
      created = null; // gone (or NATS away: restarting the feeds then costs nothing, they wait for it)
    }
    if (created !== null && created === this.created) return;
    if (created === null && this.created === null) return;
    this.created = created;
    for (const feed of this.feeds) feed.restart();
  }
}

/**
 * One watch of a bucket's keys under `filter`, delivering changes from the moment it starts (a host
 * reads current values itself when it joins). It starts after the bucket's last revision at that
 * time, and whenever it is started again (it ended, or NATS reconnected: a restarted server has lost
 * the watch's consumer, which the client would only notice after missed heartbeats) it resumes after
 * the last revision it delivered: nothing in between is missed. A watch whose consumer is gone
 * without a reconnect (its server of a cluster died) is started again too (`watchConsumer`).
 */
export class KvFeed {
  private iterator: QueuedIterator<KvWatchEntry> | null = null;
  private stopped = false;
  /** Everything up to this revision has been delivered (or predates the watch). */
  private lastRevision = -1;
  /** When the bucket's stream was created, as last seen: another time means it was lost and made again. */
  private created: string | null = null;
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
    BucketWatchdog.unwatch(this);
    this.iterator?.stop();
  }

  /** Starts the watch again where it is (after a reconnect). */
  restart(): void {
    this.iterator?.stop();
  }

  /**
   * A watch's consumer has one replica, on one server of a cluster. When that server dies while
   * the agent's connection is on another, nothing ends the watch: the client would notice only after
   * two missed heartbeats (10 s, then 60 s for a watch it made again itself), and the hosts would
   * hear nothing meanwhile. Asking for the consumer every CHECK_CONSUMER_MS notices within seconds;
   * a watch whose consumer cannot be read (gone, or its server not answering) starts again after
   * the last revision it delivered. A needless restart costs one consumer, nothing is missed.
   */
  private watchConsumer(iterator: QueuedIterator<KvWatchEntry>): NodeJS.Timeout {
    // The watch's push consumer (its name changes when the client makes it again).
    const consumer = (iterator as { _data?: { info(cached?: boolean): Promise<unknown> } })._data;
    let asking = false;
    const timer = setInterval(() => {
      if (!consumer || asking || this.stopped) return;
      asking = true;
      consumer
        .info(false)
        .catch((err: unknown) => {
          if (this.iterator !== iterator) return;
          this.logger.warn({ msg: 'watch lost its consumer, resuming it', filter: this.filter, error: String(err) });
          iterator.stop();
        })
        .finally(() => (asking = false));
    }, CHECK_CONSUMER_MS);
    timer.unref();
    return timer;
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stopped;) {
      try {
        const kv = await this.bucket();
        let streamInfo;
        try {
          ({ streamInfo } = await kv.status());
        } catch (err) {
          if (!isMissingStream(err)) throw err;
          if (this.lastRevision < 0) {
            // Not created yet: nothing to deliver so far, and everything once it is.
            this.lastRevision = 0;
            this.markReady();
          }
          throw err;
        }
        // A bucket deleted and created again starts its revisions afresh: everything in it is new.
        if (this.created !== null && (streamInfo.created !== this.created || streamInfo.state.last_seq < this.lastRevision)) {
          this.logger.warn({ msg: 'bucket was created again: reading it from its start', filter: this.filter });
          this.lastRevision = 0;
        }
        this.created = streamInfo.created;
        BucketWatchdog.watch(String((kv as { bucket?: string }).bucket ?? this.filter), kv, this, streamInfo.created);
        if (this.lastRevision < 0) this.lastRevision = streamInfo.state.last_seq;
        const iterator = await kv.watch({ key: this.filter, resumeFromRevision: this.lastRevision + 1 });
        if (this.stopped) {
          iterator.stop();
          return;
        }
        this.iterator = iterator;
        this.markReady();
        failures = 0;
        const liveness = this.watchConsumer(iterator);
        try {
          for await (const entry of iterator) {
            if (entry.revision > this.lastRevision) this.lastRevision = entry.revision;
            try {
              this.deliver(entry);
            } catch (err) {
              this.logger.error({ msg: 'desired-state entry not delivered', key: entry.key, error: String(err) });
            }
          }
        } finally {
          clearInterval(liveness);
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
