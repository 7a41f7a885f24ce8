import type { DomainEvent } from '../domain/decider.js';
import type { EventMetadata, NewEvent, RecordedEvent } from './event.js';
import type { AppendResult, AsOf, EventStore, SqlClient } from './event-store.js';
import type { Snapshot, SnapshotStore } from './snapshot-store.js';

export interface AggregateType<S, E extends DomainEvent> {
  /** Stream ids are `<category>-<id>`; the category also names the events' subjects. */
  category: string;
  initialState(): S;
  evolve(state: S, event: E): S;
  /** Names the shape of S for snapshots; change it when S changes. */
  snapshotSchema: string;
}

export interface LoadedAggregate<S> {
  state: S;
  /** The stream's version: 0 when it does not exist. */
  version: number;
}

/**
 * Loads aggregates from their stream (from the latest snapshot on) and appends their new events,
 * writing a snapshot whenever the version crosses a multiple of `snapshotEvery`.
 */
export class AggregateStore {
  constructor(
    private readonly events: EventStore,
    private readonly snapshots: SnapshotStore,
    private readonly snapshotEvery = 100,
  ) {}

  streamId(type: AggregateType<any, any>, id: string): string {
    // The category is read back up to the first '-' (see subjectFor): it must not hold one.
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(type.category)) throw new Error(`invalid stream category: ${type.category}`);
    return `${type.category}-${id}`;
  }

  /**
   * The aggregate now, or as of a point of the log: from the latest snapshot at or below that
   * version, plus the events after it. Folding past a multiple of `snapshotEvery` that has no
   * snapshot yet (a stream written before snapshots were kept, or after a rebuild emptied them)
   * keeps one there, so the next read of that stretch of history starts from it. `before`: a
   * statement run first on `client` (the stream's writer lock), in the same round trip as the read.
   */
  async load<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    id: string,
    options: { asOf?: AsOf; client?: SqlClient; before?: string } = {},
  ): Promise<LoadedAggregate<S>> {
    const streamId = this.streamId(type, id);
    const client = options.client;
    let upTo: number | undefined;
    let snapshot: Snapshot<S> | null;
    let events: RecordedEvent[];
    if (options.asOf) {
      upTo = await this.events.versionAt(streamId, options.asOf, client);
      if (upTo === 0) return { state: type.initialState(), version: 0 };
    }
    if (upTo === undefined && this.events.readFromSnapshot) {
      // The head: the snapshot and the events after it in one statement, after `before` in the same round trip.
      ({ snapshot, events } = await this.events.readFromSnapshot<S>(streamId, type.snapshotSchema, {
        client,
        before: options.before,
      }));
    } else {
      await runBefore(options.before, client);
      snapshot = await this.snapshots.load<S>(streamId, type.snapshotSchema, client, upTo);
      events = await this.events.readStream(streamId, { fromVersion: snapshot?.version ?? 0, toVersion: upTo, client });
    }
    return this.fold(type, streamId, snapshot, events, client);
  }

  /**
   * `load` of several aggregates of one type, in one read where the store can (`before` run first,
   * in the same round trip): each id's state and version, ids never written included (at version 0).
   */
  async loadMany<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    ids: readonly string[],
    options: { client?: SqlClient; before?: string } = {},
  ): Promise<Map<string, LoadedAggregate<S>>> {
    const loaded = new Map<string, LoadedAggregate<S>>();
    if (!this.events.readManyFromSnapshot) {
      await runBefore(options.before, options.client);
      for (const id of ids) loaded.set(id, await this.load(type, id, { client: options.client }));
      return loaded;
    }
    const streamIds = ids.map((id) => this.streamId(type, id));
    const read = await this.events.readManyFromSnapshot<S>(streamIds, type.snapshotSchema, options);
    for (const [i, id] of ids.entries()) {
      const stream = read.get(streamIds[i]);
      loaded.set(id, await this.fold(type, streamIds[i], stream?.snapshot ?? null, stream?.events ?? [], options.client));
    }
    return loaded;
  }

  /** The state from a snapshot and the events after it; a snapshot that folding passed is kept. */
  private async fold<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    streamId: string,
    snapshot: Snapshot<S> | null,
    events: readonly RecordedEvent[],
    client?: SqlClient,
  ): Promise<LoadedAggregate<S>> {
    let state = snapshot?.state ?? type.initialState();
    const missed: Array<Snapshot<S>> = [];
    for (const e of events) {
      state = type.evolve(state, { type: e.type, data: e.data } as E);
      if (e.version % this.snapshotEvery === 0) missed.push({ version: e.version, state });
    }
    if (missed.length) await this.snapshots.save(streamId, type.snapshotSchema, missed, client);
    return { state, version: events.at(-1)?.version ?? snapshot?.version ?? 0 };
  }

  /**
   * `append` to several aggregates of one type, in one write where the store can: each entry's
   * events with its own metadata, entries of one aggregate in the order given (an aggregate's
   * entries appended together, at the version `loaded` gives). Answers each entry's state and
   * version after its events, and its recorded events.
   */
  async appendMany<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    loaded: ReadonlyMap<string, LoadedAggregate<S>>,
    entries: ReadonlyArray<{ id: string; events: E[]; metadata: EventMetadata }>,
    options: { newId: () => string; client?: SqlClient },
  ): Promise<Array<{ state: S; version: number; recorded: RecordedEvent[] }>> {
    const streams = new Map<string, Array<{ entry: number; event: NewEvent; domain: E }>>();
    for (const [i, entry] of entries.entries()) {
      if (!loaded.has(entry.id)) throw new Error(`appendMany: ${entry.id} was not loaded`);
      let events = streams.get(entry.id);
      if (!events) streams.set(entry.id, (events = []));
      for (const e of entry.events)
        events.push({
          entry: i,
          domain: e,
          event: { id: options.newId(), type: e.type, data: e.data, metadata: entry.metadata },
        });
    }
    const appends = [...streams].map(([id, events]) => ({
      streamId: this.streamId(type, id),
      expectedVersion: loaded.get(id)!.version,
      events: events.map((e) => e.event),
    }));
    let results: AppendResult[];
    if (this.events.appendMany) results = await this.events.appendMany(appends, { client: options.client });
    else {
      results = [];
      for (const a of appends)
        results.push(
          await this.events.append(a.streamId, a.events, { expectedVersion: a.expectedVersion, client: options.client }),
        );
    }
    const answers: Array<{ state: S; version: number; recorded: RecordedEvent[] }> = entries.map(() => ({
      state: undefined as S,
      version: 0,
      recorded: [],
    }));
    for (const [k, [id, events]] of [...streams].entries()) {
      const start = loaded.get(id)!;
      const recorded = results[k].events;
      let state = start.state;
      for (const [j, e] of events.entries()) {
        state = type.evolve(state, e.domain);
        const answer = answers[e.entry];
        answer.state = state;
        answer.version = recorded[j].version;
        answer.recorded.push(recorded[j]);
      }
      if (Math.floor(results[k].nextVersion / this.snapshotEvery) > Math.floor(start.version / this.snapshotEvery)) {
        await this.snapshots.save(
          appends[k].streamId,
          type.snapshotSchema,
          [{ version: results[k].nextVersion, state }],
          options.client,
        );
      }
    }
    // An entry without events stands where the entries before it left its aggregate.
    const at = new Map([...loaded].map(([id, l]) => [id, { state: l.state, version: l.version }]));
    for (const [i, entry] of entries.entries()) {
      if (entry.events.length === 0) Object.assign(answers[i], at.get(entry.id));
      else at.set(entry.id, { state: answers[i].state, version: answers[i].version });
    }
    return answers;
  }

  async append<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    id: string,
    loaded: LoadedAggregate<S>,
    events: E[],
    options: { metadata: EventMetadata; newId: () => string; client?: SqlClient },
  ): Promise<{ result: AppendResult; state: S; recorded: NewEvent[] }> {
    const streamId = this.streamId(type, id);
    const recorded: NewEvent[] = events.map((e) => ({
      id: options.newId(),
      type: e.type,
      data: e.data,
      metadata: options.metadata,
    }));
    const result = await this.events.append(streamId, recorded, {
      expectedVersion: loaded.version,
      client: options.client,
    });
    const state = events.reduce(type.evolve, loaded.state);
    const crossed = Math.floor(result.nextVersion / this.snapshotEvery) > Math.floor(loaded.version / this.snapshotEvery);
    if (events.length && crossed) {
      await this.snapshots.save(streamId, type.snapshotSchema, [{ version: result.nextVersion, state }], options.client);
    }
    return { result, state, recorded };
  }
}

export type { RecordedEvent };

/** A statement to run before a load, on the caller's client (which it needs), where the store cannot send it with the load. */
async function runBefore(before: string | undefined, client: SqlClient | undefined): Promise<void> {
  if (before === undefined) return;
  if (!client) throw new Error("a statement to run before the load needs the caller's client");
  await client.query(before);
}
