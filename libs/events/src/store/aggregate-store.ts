import type { DomainEvent } from '../domain/decider.js';
import type { EventMetadata, NewEvent, RecordedEvent } from './event.js';
import type { AppendResult, AsOf, EventStore, SqlClient } from './event-store.js';
import type { SnapshotStore } from './snapshot-store.js';

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

  async load<S, E extends DomainEvent>(
    type: AggregateType<S, E>,
    id: string,
    options: { asOf?: AsOf; client?: SqlClient } = {},
  ): Promise<LoadedAggregate<S>> {
    const streamId = this.streamId(type, id);
    let snapshot = await this.snapshots.load<S>(streamId, type.snapshotSchema, options.client);
    // A point-in-time read starts from the snapshot only when the point is at or past it; else from the start.
    if (snapshot && options.asOf && !(await this.events.reached(streamId, snapshot.version, options.asOf, options.client)))
      snapshot = null;
    const events = await this.events.readStream(streamId, {
      fromVersion: snapshot?.version ?? 0,
      asOf: options.asOf,
      client: options.client,
    });
    let state = snapshot?.state ?? type.initialState();
    for (const e of events) state = type.evolve(state, { type: e.type, data: e.data } as E);
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
      await this.snapshots.save(streamId, type.snapshotSchema, { version: result.nextVersion, state }, options.client);
    }
    return { result, state, recorded };
  }
}

export type { RecordedEvent };
