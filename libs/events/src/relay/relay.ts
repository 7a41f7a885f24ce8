import type { LogCursor, RecordedEvent } from '../store/event.js';
import { LOG_START } from '../store/event.js';
import type { EventStore, SqlClient } from '../store/event-store.js';
import { schemaIdentifier } from '../store/schema.js';

/** Where the relay sends events: JetStream in production, with `msgId` as `Nats-Msg-Id`. */
export interface EventPublisher {
  publish(subject: string, payload: Uint8Array, options: { msgId: string; headers: Record<string, string> }): Promise<void>;
}

/** A pooled PostgreSQL client the relay holds for its leadership lock. */
export interface LockClient extends SqlClient {
  release(err?: Error | boolean): void;
  /** A held client's connection can fail between queries (PostgreSQL restarting): that must not crash the process. */
  on?(event: 'error', listener: (err: Error) => void): unknown;
  off?(event: 'error', listener: (err: Error) => void): unknown;
}

export interface RelayOptions {
  /** Names the checkpoint and the leadership lock: one relay per log runs at a time. */
  name: string;
  schema: string;
  /** `${subjectPrefix}.${category}.${type}`; the category is the stream id up to its first '-'. */
  subjectPrefix: string;
  batchSize?: number;
  /** How often an idle relay looks for events appended by another process. */
  idlePollMs?: number;
  onError?: (err: unknown) => void;
  /**
   * The checkpoint moved: after each batch this relay published, and, while another process leads,
   * when the leader's checkpoint is seen to move (`atMs` is when it was written).
   */
  onProgress?: (cursor: LogCursor, atMs: number) => void;
  /**
   * The stream the relay publishes to, checked before it leads, after a publish fails, and every
   * `streamCheckMs` while it leads. `check()` answers 'recreated' when it had to create the stream
   * again (it was deleted) or finds another one under its name (deleted and created by someone
   * else): what the old one held is gone, so the relay publishes the whole log again, and JetStream's
   * `Nats-Msg-Id` dedup keeps each event once in the new stream.
   */
  stream?: { check(): Promise<'ok' | 'recreated'> };
  streamCheckMs?: number;
  /** While the log is republished into a recreated stream: how many events are left (0 once done). */
  onBacklog?: (events: number) => void;
}

export function subjectFor(prefix: string, event: Pick<RecordedEvent, 'streamId' | 'type'>): string {
  const dash = event.streamId.indexOf('-');
  const category = dash > 0 ? event.streamId.slice(0, dash) : event.streamId;
  return `${prefix}.${category}.${event.type}`;
}

/** The JSON document of an event on the wire. */
export function encodeEvent(event: RecordedEvent): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      id: event.id,
      position: event.position,
      streamId: event.streamId,
      version: event.version,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      recordedAt: event.recordedAt.toISOString(),
    }),
  );
}

/**
 * Tails the log in global order and publishes each event, checkpointing after the acks. Killed
 * between publish and checkpoint, it publishes the same events again with the same ids, which
 * JetStream drops as duplicates: nothing lost, nothing twice downstream.
 */
export class Relay {
  private readonly checkpoints: string;
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private cursor: LogCursor = LOG_START;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  private published = 0;
  private lockClient: LockClient | null = null;
  private lastStreamCheck = 0;
  private backlog = 0;
  private healing: { reason: string; since: number } | null = null;
  private lockErrorListener: { client: LockClient; onError: (err: Error) => void } | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly pool: SqlClient & { connect(): Promise<LockClient> },
    private readonly publisher: EventPublisher,
    private readonly options: RelayOptions,
  ) {
    this.checkpoints = `${schemaIdentifier(options.schema)}.checkpoints`;
    this.batchSize = options.batchSize ?? 500;
    this.idlePollMs = options.idlePollMs ?? 250;
  }

  get publishedCount(): number {
    return this.published;
  }

  /** Why the stream does not hold the whole log right now (recreated, being republished), or null. */
  get degraded(): string | null {
    return this.healing ? `${this.healing.reason}; ${this.backlog} events left to republish` : null;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was appended: look now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** Publishes everything up to the current horizon; returns the number of events published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.publishBatch();
      total += n;
      if (n < this.batchSize) return total;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!(await this.lead())) {
          await this.follow();
          await this.sleep(1000);
          continue;
        }
        if (Date.now() - this.lastStreamCheck >= (this.options.streamCheckMs ?? 2000)) await this.checkStream();
        const n = await this.publishBatch();
        failures = 0;
        if (n < this.batchSize) {
          this.caughtUp();
          await this.sleep(this.idlePollMs);
        }
      } catch (err) {
        failures++;
        this.options.onError?.(err);
        // A publish that fails may mean the stream is gone: look before the next try.
        this.lastStreamCheck = 0;
        await this.dropLeadership();
        await this.sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
    await this.dropLeadership();
  }

  /**
   * The stream was deleted (or replaced): publish the log again from its start. The checkpoint is
   * moved back at once, so a relay that takes over after a crash republishes too.
   */
  private async checkStream(): Promise<void> {
    this.lastStreamCheck = Date.now();
    if (!this.options.stream || (await this.options.stream.check()) === 'ok') return;
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${schemaIdentifier(this.options.schema)}.events`,
    );
    await this.pool.query(
      `UPDATE ${this.checkpoints} SET transaction_id = $2::xid8, position = $3, updated_at = now() WHERE name = $1`,
      [this.options.name, LOG_START.transactionId, LOG_START.position],
    );
    const wasPublished = this.cursor.position > 0;
    this.cursor = LOG_START;
    this.backlog = Number(rows[0]?.n ?? 0);
    this.healing = { reason: 'the event stream was recreated', since: Date.now() };
    this.options.onBacklog?.(this.backlog);
    // A first boot creates the stream too: only a stream that held part of the log is news.
    if (wasPublished) this.options.onError?.(new Error(`event stream recreated: republishing the log (${this.backlog} events)`));
  }

  private caughtUp(): void {
    if (!this.healing) return;
    this.healing = null;
    this.backlog = 0;
    this.options.onBacklog?.(0);
  }

  private async publishBatch(): Promise<number> {
    this.kicked = false;
    const page = await this.store.readAll(this.cursor, this.batchSize);
    if (page.events.length === 0) return 0;
    // Published concurrently but written to the connection in order, so the stream keeps log order.
    await Promise.all(
      page.events.map((event) =>
        this.publisher.publish(subjectFor(this.options.subjectPrefix, event), encodeEvent(event), {
          msgId: event.id,
          headers: {
            'vnet-correlation-id': String(event.metadata?.correlationId ?? ''),
            'vnet-event-type': event.type,
            'vnet-position': String(event.position),
          },
        }),
      ),
    );
    await this.pool.query(
      `INSERT INTO ${this.checkpoints} (name, transaction_id, position) VALUES ($1, $2::xid8, $3)
       ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()`,
      [this.options.name, page.cursor.transactionId, page.cursor.position],
    );
    this.cursor = page.cursor;
    this.published += page.events.length;
    if (this.healing) {
      this.backlog = Math.max(0, this.backlog - page.events.length);
      this.options.onBacklog?.(this.backlog);
    }
    this.options.onProgress?.(page.cursor, Date.now());
    return page.events.length;
  }

  /** One relay per log: the holder of a session-level advisory lock, which dies with its session. */
  private async lead(): Promise<boolean> {
    if (this.lockClient) return true;
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `${this.checkpoints}:${this.options.name}`,
      ]);
      if (!rows[0]?.locked) {
        client.release();
        return false;
      }
      this.lockClient = client;
      this.watchLockClient(client);
      // Resume from the checkpoint: the leader before us may have got further than we knew.
      const { rows: cp } = await this.pool.query<{ transaction_id: string; position: string }>(
        `SELECT transaction_id, position FROM ${this.checkpoints} WHERE name = $1`,
        [this.options.name],
      );
      this.cursor = cp[0] ? { transactionId: cp[0].transaction_id, position: Number(cp[0].position) } : LOG_START;
      this.lastStreamCheck = 0;
      return true;
    } catch (err) {
      client.release(true);
      throw err;
    }
  }

  /** Another process leads: its checkpoint tells how far the log is published. */
  private async follow(): Promise<void> {
    if (!this.options.onProgress) return;
    const { rows } = await this.pool.query<{ transaction_id: string; position: string; updated_at: Date }>(
      `SELECT transaction_id, position, updated_at FROM ${this.checkpoints} WHERE name = $1`,
      [this.options.name],
    );
    if (rows[0]) {
      this.options.onProgress(
        { transactionId: rows[0].transaction_id, position: Number(rows[0].position) },
        rows[0].updated_at.getTime(),
      );
    }
  }

  /**
   * The leadership lock lives as long as its session. When the session dies (PostgreSQL stopped or
   * restarted), the client emits 'error' between queries: the lock is gone, and so is leadership;
   * the loop takes it again once PostgreSQL answers.
   */
  private watchLockClient(client: LockClient): void {
    const onError = (err: Error) => {
      client.off?.('error', onError);
      if (this.lockClient !== client) return;
      this.lockClient = null;
      this.options.onError?.(err);
      client.release(err);
      this.wake?.();
    };
    client.on?.('error', onError);
    this.lockErrorListener = { client, onError };
  }

  private async dropLeadership(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = null;
    if (!client) return;
    if (this.lockErrorListener?.client === client) {
      // Keep a listener until the client is released: an error while unlocking must not crash either.
      const { onError } = this.lockErrorListener;
      this.lockErrorListener = null;
      client.off?.('error', onError);
      client.on?.('error', () => {});
    }
    try {
      await client.query('SELECT pg_advisory_unlock_all()');
      client.release();
    } catch {
      client.release(true);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.kicked || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
