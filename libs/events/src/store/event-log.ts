import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent } from '../domain/decider.js';
import { VersionConflictError } from '../errors/domain-error.js';
import { PipelinedWrites, projectPage } from '../projections/project-page.js';
import type { Projection } from '../projections/projection.js';
import { AggregateStore, type AggregateType, type LoadedAggregate } from './aggregate-store.js';
import type { EventMetadata, LogCursor, NewEvent, RecordedEvent } from './event.js';
import { LOG_START } from './event.js';
import type { AppendResult, AsOf, ExpectedVersion, ReadAllResult, SqlClient } from './event-store.js';
import { EventUpcasters, type Upcaster } from './event-upcasters.js';
import { PgEventStore } from './pg-event-store.js';
import { type RebuildProgress, RebuildTasks } from './rebuild-tasks.js';
import { schemaIdentifier } from './schema.js';
import { SnapshotStore } from './snapshot-store.js';

const LOCK_STREAM = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';

/** A unit of work on the log: appends, inline projections and read-model writes commit together. */
export class EventLogTransaction {
  private readonly appended: RecordedEvent[] = [];

  constructor(
    readonly client: SqlClient,
    readonly manager: EntityManager,
    private readonly log: EventLog,
  ) {}

  load<S, E extends DomainEvent>(type: AggregateType<S, E>, id: string): Promise<LoadedAggregate<S>> {
    return this.log.aggregates.load(type, id, { client: this.client });
  }

  /** `lockStream` on the aggregate's stream, then `load`, in one round trip; `begin`: starting the transaction first. */
  lockAndLoad<S, E extends DomainEvent>(type: AggregateType<S, E>, id: string, begin = false): Promise<LoadedAggregate<S>> {
    const lock = this.lockStatement(this.log.aggregates.streamId(type, id));
    const before = begin ? `BEGIN;\n${lock}` : lock;
    return this.log.aggregates.load(type, id, { client: this.client, before });
  }

  /** Appends an aggregate's new events at the version it was loaded at, and projects them. */
  async appendTo<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    id: string,
    loaded: LoadedAggregate<S>,
    events: E[],
    metadata: EventMetadata,
  ): Promise<{ state: S; version: number; recorded: RecordedEvent[] }> {
    const { result, state } = await this.log.aggregates.append(type, id, loaded, events, {
      metadata,
      newId: this.log.newId,
      client: this.client,
    });
    await this.project(result);
    return { state, version: result.nextVersion, recorded: result.events };
  }

  /**
   * The writer locks of several aggregates' streams (`lockStream`, in one order whatever the order
   * given, so two such transactions never deadlock on them), then their load, in one round trip;
   * `begin`: starting the transaction first.
   */
  lockAndLoadMany<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    ids: readonly string[],
    begin = false,
  ): Promise<Map<string, LoadedAggregate<S>>> {
    const unique = [...new Set(ids)];
    const locks = unique
      .map((id) => this.lockKey(this.log.aggregates.streamId(type, id)))
      .sort()
      .map((key) => LOCK_STREAM.replace('$1', pg.escapeLiteral(key)));
    const before = [...(begin ? ['BEGIN'] : []), ...locks].join(';\n');
    if (unique.length === 0) return (begin ? this.client.query('BEGIN') : Promise.resolve()).then(() => new Map());
    return this.log.aggregates.loadMany(type, unique, { client: this.client, before });
  }

  /**
   * `appendTo` for several aggregates of one type at once (see AggregateStore.appendMany): one
   * append for all their streams, each entry's events with its own metadata, then every event
   * projected, set-based where the projections can (as a rebuild projects a page).
   */
  async appendToMany<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    loaded: ReadonlyMap<string, LoadedAggregate<S>>,
    entries: ReadonlyArray<{ id: string; events: E[]; metadata: EventMetadata }>,
  ): Promise<Array<{ state: S; version: number; recorded: RecordedEvent[] }>> {
    const answers = await this.log.aggregates.appendMany(type, loaded, entries, { newId: this.log.newId, client: this.client });
    const recorded = answers.flatMap((a) => a.recorded).sort((a, b) => a.position - b.position);
    if (recorded.length) {
      await projectPage(recorded, this.log.projections, this);
      this.appended.push(...recorded);
    }
    return answers;
  }

  /** Appends raw events to a stream, and projects them. */
  async append(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    const result = await this.log.store.append(streamId, events, { expectedVersion, client: this.client });
    await this.project(result);
    return result;
  }

  /**
   * Waits for, then holds until this transaction ends, the stream's writer lock: the next writer of
   * the stream loads only after this one committed. The key is the stream id hashed with the log's
   * schema, so two services' logs on one database never wait for each other.
   */
  async lockStream(streamId: string): Promise<void> {
    await this.client.query(LOCK_STREAM, [this.lockKey(streamId)]);
  }

  private lockKey(streamId: string): string {
    return `${this.log.schemaName}:${streamId}`;
  }

  /** `lockStream`'s statement with the key as a literal, to send in one round trip with another. */
  private lockStatement(streamId: string): string {
    return LOCK_STREAM.replace('$1', pg.escapeLiteral(this.lockKey(streamId)));
  }

  /**
   * Records that `consumer` handled `messageId`, in this transaction. False when it already had:
   * the caller then changes nothing (a redelivered message changes nothing twice).
   */
  async markHandled(consumer: string, messageId: string): Promise<boolean> {
    const { rows } = await this.client.query(
      `INSERT INTO ${this.log.schemaName}.handled_messages (consumer, message_id) VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [consumer, messageId],
    );
    return rows.length === 1;
  }

  get events(): readonly RecordedEvent[] {
    return this.appended;
  }

  /** Forgets the events appended after the first `count`, rolled back to a savepoint. */
  forgetAfter(count: number): void {
    this.appended.length = count;
  }

  private async project(result: AppendResult): Promise<void> {
    for (const event of result.events) {
      for (const projection of this.log.projections) await projection.apply(event, this);
    }
    this.appended.push(...result.events);
  }
}

export interface EventLogOptions {
  schema: string;
  projections: Projection[];
  snapshotEvery?: number;
  newId: () => string;
  /**
   * Attempts of a command that still loses a race (a writer that appended to the stream without
   * going through `execute`, or a deadlock PostgreSQL broke). Writers through `execute` are
   * serialised per stream and never race each other.
   */
  maxAttempts?: number;
  /** Each event type's older shapes and how they read as the current one. */
  upcasters?: readonly Upcaster[];
  /** Events replayed per page of a rebuild. */
  rebuildPage?: number;
}

/** A command of `execute` waiting for its stream's transaction. */
interface Command<S, E extends DomainEvent> {
  metadata: EventMetadata;
  decide: (state: S, version: number, tx: EventLogTransaction) => E[] | Promise<E[]>;
  answer: (state: S, version: number, recorded: RecordedEvent[], tx: EventLogTransaction) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** PostgreSQL's codes for a transaction it aborted to break a deadlock or a serialization cycle. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

function isRetryable(err: unknown): boolean {
  if (err instanceof VersionConflictError) return err.retryable;
  return RETRYABLE_SQLSTATES.has((err as { code?: unknown })?.code as string);
}

/** Full jitter on an exponential backoff (2 ms doubling, capped at 200 ms): losers spread out. */
const backoff = (attempt: number) => new Promise<void>((r) => setTimeout(r, Math.random() * Math.min(200, 2 ** attempt)));

/**
 * A service's event log: the store, aggregates with snapshots, inline projections, and the
 * transaction that ties an append to its read-model changes.
 */
export class EventLog {
  readonly store: PgEventStore;
  readonly snapshots: SnapshotStore;
  readonly aggregates: AggregateStore;
  readonly projections: readonly Projection[];
  readonly schemaName: string;
  readonly newId: () => string;
  private readonly maxAttempts: number;
  private readonly committedListeners: Array<(events: readonly RecordedEvent[]) => void> = [];
  private rebuildingNow: RebuildProgress | null = null;
  private readonly rebuildPage: number;
  /** Per aggregate type and id, the commands of `execute` waiting for the stream's running transaction. */
  private readonly waiting = new Map<AggregateType<any, any>, Map<string, Array<Command<unknown, DomainEvent>>>>();
  /** Whether execute's transaction may begin in its first round trip (see inTransaction). */
  private readonly beginWithLock: boolean;
  /** The rebuilds of this log (`POST /admin/rebuild`), one at a time. */
  readonly rebuilds: RebuildTasks;

  constructor(
    private readonly dataSource: DataSource,
    readonly pool: SqlClient,
    options: EventLogOptions,
  ) {
    this.schemaName = schemaIdentifier(options.schema);
    this.store = new PgEventStore(pool, options.schema, new EventUpcasters(options.upcasters));
    this.snapshots = new SnapshotStore(pool, options.schema);
    this.aggregates = new AggregateStore(this.store, this.snapshots, options.snapshotEvery ?? 100);
    this.projections = options.projections;
    this.newId = options.newId;
    this.maxAttempts = options.maxAttempts ?? 50;
    this.rebuildPage = options.rebuildPage ?? 5000;
    this.beginWithLock = !dataSource.options.isolationLevel && !dataSource.subscribers?.length;
    this.rebuilds = new RebuildTasks((onProgress) => this.rebuild(onProgress), options.newId);
  }

  /** Called after a transaction that appended events commits (the relay listens). */
  onCommitted(listener: (events: readonly RecordedEvent[]) => void): void {
    this.committedListeners.push(listener);
  }

  get rebuilding(): boolean {
    return this.rebuildingNow !== null;
  }

  /** How far the rebuild under way is; null when none runs. */
  get rebuildProgress(): RebuildProgress | null {
    return this.rebuildingNow && { ...this.rebuildingNow };
  }

  async transaction<T>(work: (tx: EventLogTransaction) => Promise<T>): Promise<T> {
    return this.inTransaction(work, false);
  }

  /**
   * `transaction`, its first round trip taking the writer locks of the aggregates' streams (in one
   * order) and loading them (see EventLogTransaction.lockAndLoadMany): `work` gets their state.
   */
  lockedTransaction<S, E extends DomainEvent, T>(
    type: AggregateType<S, E>,
    ids: readonly string[],
    work: (tx: EventLogTransaction, loaded: Map<string, LoadedAggregate<S>>) => Promise<T>,
  ): Promise<T> {
    return this.inTransaction(
      async (tx) => work(tx, await tx.lockAndLoadMany(type, ids, this.beginWithLock)),
      this.beginWithLock,
    );
  }

  /**
   * `transaction`; with `beginWithFirst`, the BEGIN is not sent on its own: `work`'s first query
   * must start with it (one round trip less). TypeORM's runner is told the transaction is open, as
   * its startTransaction would (no isolation level is set on the data source, no subscriber listens).
   */
  private async inTransaction<T>(work: (tx: EventLogTransaction) => Promise<T>, beginWithFirst: boolean): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as SqlClient;
    try {
      if (beginWithFirst) {
        const open = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
        open.isTransactionActive = true;
        open.transactionDepth = 1;
      } else await runner.startTransaction();
      const tx = new EventLogTransaction(client, runner.manager, this);
      const result = await work(tx);
      await runner.commitTransaction();
      if (tx.events.length) for (const listener of this.committedListeners) listener(tx.events);
      return result;
    } catch (err) {
      // A connection that died (PostgreSQL stopping) cannot roll back: the error to answer is the first one.
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => {});
      throw err;
    } finally {
      await runner.release();
    }
  }

  /**
   * Loads an aggregate, decides, appends and projects, in one transaction. Writers of one stream take
   * its transaction-scoped advisory lock before loading, so they queue instead of racing: however
   * many there are, none is refused for the race and no accepted change is lost. Should a writer from
   * outside still move the stream in between, it does it all again on the fresh state.
   *
   * Commands for a stream that arrive while this log runs one for it wait in memory, and then run
   * together in the next transaction, each in order on the state the one before it left, each in a
   * savepoint of its own: a command that fails changes nothing and fails alone; the others commit
   * together (one commit, one lock wait, one load for all of them).
   */
  execute<S, E extends DomainEvent, R>(
    type: AggregateType<S, E>,
    id: string,
    metadata: EventMetadata,
    decide: (state: S, version: number, tx: EventLogTransaction) => E[] | Promise<E[]>,
    answer: (state: S, version: number, recorded: RecordedEvent[], tx: EventLogTransaction) => R | Promise<R>,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const command: Command<S, E> = { metadata, decide, answer, resolve: resolve as (value: unknown) => void, reject };
      let waiting = this.waiting.get(type);
      if (!waiting) this.waiting.set(type, (waiting = new Map()));
      const queue = waiting.get(id);
      if (queue) {
        queue.push(command as Command<unknown, DomainEvent>);
        return;
      }
      const own: Array<Command<unknown, DomainEvent>> = [command as Command<unknown, DomainEvent>];
      waiting.set(id, own);
      void this.drain(type, id, own, waiting);
    });
  }

  /** Runs the stream's waiting commands, those that came meanwhile next, until none waits. */
  private async drain<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    id: string,
    queue: Array<Command<unknown, DomainEvent>>,
    waiting: Map<string, Array<Command<unknown, DomainEvent>>>,
  ): Promise<void> {
    try {
      while (queue.length) await this.runCommands(type, id, queue.splice(0, queue.length) as unknown as Array<Command<S, E>>);
    } catch (err) {
      for (const command of queue.splice(0, queue.length)) command.reject(err);
    } finally {
      waiting.delete(id);
      if (waiting.size === 0) this.waiting.delete(type);
    }
  }

  /** One transaction for `commands` of one stream; settles each of them, never throws. */
  private async runCommands<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    id: string,
    commands: Array<Command<S, E>>,
  ): Promise<void> {
    const alone = commands.length === 1;
    for (let attempt = 1; ; attempt++) {
      const outcomes: Array<{ value: unknown } | { error: unknown }> = [];
      try {
        await this.inTransaction(async (tx) => {
          let loaded = await tx.lockAndLoad(type, id, this.beginWithLock);
          for (const [i, command] of commands.entries()) {
            if (alone) {
              outcomes.push({ value: await this.runCommand(type, id, loaded, command, tx) });
              break;
            }
            const mark = tx.events.length;
            await tx.client.query(`SAVEPOINT command_${i}`);
            try {
              const value = await this.runCommand(type, id, loaded, command, tx, (next) => (loaded = next));
              outcomes.push({ value });
            } catch (error) {
              // A race or a deadlock is the transaction's: all of it runs again.
              if (isRetryable(error)) throw error;
              // A connection that cannot roll back (PostgreSQL stopping) fails them all, with this error.
              await tx.client.query(`ROLLBACK TO SAVEPOINT command_${i}`).catch(() => {
                throw error;
              });
              tx.forgetAfter(mark);
              outcomes.push({ error });
            }
          }
        }, this.beginWithLock);
      } catch (err) {
        if (isRetryable(err) && attempt < this.maxAttempts) {
          await backoff(attempt);
          continue;
        }
        for (const command of commands) command.reject(err);
        return;
      }
      for (const [i, command] of commands.entries()) {
        const outcome = outcomes[i];
        if ('value' in outcome) command.resolve(outcome.value);
        else command.reject(outcome.error);
      }
      return;
    }
  }

  private async runCommand<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    id: string,
    loaded: LoadedAggregate<S>,
    command: Command<S, E>,
    tx: EventLogTransaction,
    moved: (next: LoadedAggregate<S>) => void = () => {},
  ): Promise<unknown> {
    const events = await command.decide(loaded.state, loaded.version, tx);
    if (events.length === 0) return command.answer(loaded.state, loaded.version, [], tx);
    const { state, version, recorded } = await tx.appendTo(type, id, loaded, events, command.metadata);
    const value = await command.answer(state, version, recorded, tx);
    moved({ state, version });
    return value;
  }

  load<S, E extends DomainEvent>(type: AggregateType<S, E>, id: string, asOf?: AsOf): Promise<LoadedAggregate<S>> {
    return this.aggregates.load(type, id, { asOf });
  }

  /**
   * Drops every read model and replays the whole log into it, in one transaction: a rebuild that
   * fails leaves the read models as they were. Writers wait meanwhile (the log is locked in SHARE
   * mode, so an append waits for the rebuild to commit and then projects onto the rebuilt models),
   * and the result equals what inline projection produced. A writer that had already read a read
   * model when the rebuild began may deadlock with it: PostgreSQL aborts one of the two, and either
   * tries again (the writer through `execute`, the rebuild here).
   */
  async rebuild(onProgress: (progress: RebuildProgress) => void = () => {}): Promise<{ events: number }> {
    for (let attempt = 1; ; attempt++) {
      this.rebuildingNow = { replayed: 0, total: 0 };
      try {
        return await this.transaction((tx) => this.replay(tx, onProgress));
      } catch (err) {
        if (!isRetryable(err) || attempt >= this.maxAttempts) throw err;
        await backoff(attempt);
      } finally {
        this.rebuildingNow = null;
      }
    }
  }

  private async replay(tx: EventLogTransaction, onProgress: (progress: RebuildProgress) => void): Promise<{ events: number }> {
    await tx.client.query(`LOCK TABLE ${this.schemaName}.events IN SHARE MODE`);
    const tables = [...new Set(this.projections.flatMap((p) => p.tables))];
    if (tables.length) {
      await tx.client.query(`TRUNCATE ${tables.map((t) => `${this.schemaName}."${t}"`).join(', ')}`);
    }
    await this.snapshots.clear(tx.client);
    const { rows } = await tx.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.schemaName}.events`);
    const progress = { replayed: 0, total: Number(rows[0].n) };
    this.rebuildingNow = { ...progress };
    onProgress({ ...progress });
    // The pages are read on another connection, each while the one before it is projected. It sees
    // the same log as this transaction: the lock above waited for every writer, and holds off new ones.
    const read = (cursor: LogCursor) => this.store.readAll(cursor, this.rebuildPage, { client: this.pool, wholeLog: true });
    // A page's writes run on the server, sent together, while the next page is projected; the one
    // after waits for them, so that no more than a page of writes is ever queued.
    // The tables were emptied above and are locked until this transaction ends: what a projection
    // wrote on a page, it may remember on the next instead of reading it back.
    const writes = new PipelinedWrites(tx, new Map());
    let written: Promise<void> = Promise.resolve();
    let next: Promise<ReadAllResult> | null = read(LOG_START);
    try {
      while (next) {
        const page: ReadAllResult = await next;
        if (page.events.length === 0) break;
        next = page.events.length < this.rebuildPage ? null : read(page.cursor);
        // Should projecting fail first, the read ahead must not be an unhandled rejection.
        next?.catch(() => {});
        await projectPage(page.events, this.projections, writes.batchContext);
        writes.flush();
        await written;
        written = writes.settle();
        written.catch(() => {});
        progress.replayed += page.events.length;
        this.rebuildingNow = { ...progress };
        onProgress({ ...progress });
      }
      await written;
      await writes.settle();
    } catch (err) {
      await writes.settle().catch(() => {});
      throw writes.failure ?? err;
    }
    return { events: progress.replayed };
  }
}
