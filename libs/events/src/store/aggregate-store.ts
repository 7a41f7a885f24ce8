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
      if (options.before !== undefined) {
        if (!client) throw new Error("a statement to run before the load needs the caller's client");
        await client.query(options.before);
      }
      snapshot = await this.snapshots.load<S>(streamId, type.snapshotSchema, client, upTo);
      events = await this.events.readStream(streamId, { fromVersion: snapshot?.version ?? 0, toVersion: upTo, client });
    }
    let state = snapshot?.state ?? type.initialState();
    const missed: Array<Snapshot<S>> = [];
    for (const e of events) {
      state = type.evolve(state, { type: e.type, data: e.data } as E);
      if (e.version % this.snapshotEvery === 0) missed.push({ version: e.version, state });
    }
    if (missed.length) await this.snapshots.save(streamId, type.snapshotSchema, missed, client);
    return { state, version: events.at(-1)?.version ?? snapshot?.version ?? 0 };
  }

  async append<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    id: string,
    loaded: LoadedAggregate<S>,
    events: E[],
    options: { metadata: EventMetadata; newId: () => string; client?: SqlClient },
  ): Promise<{ result: AppendResult; state: S; recorded: NewEvent[] }> {
    const streamId = this.streamId(type, id);
    const recorded: NewEvent[] = events.map((e) => ({ id: options.newId(), type: e.type, data: e.data, metadata: options.metadata }));
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
