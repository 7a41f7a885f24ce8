import type { LogCursor, NewEvent, RecordedEvent } from './event.js';

/** `number`: the stream must be exactly at that version (0 = must not exist yet). */
export type ExpectedVersion = number | 'any';

/** A query as text and values, optionally named so that it is prepared once per connection. */
export interface SqlQuery {
  name?: string;
  text: string;
  values?: unknown[];
}

/** The smallest piece of a PostgreSQL client the store needs: a pool, a pooled client or a transaction. */
export interface SqlClient {
  query<R = any>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  query<R = any>(query: SqlQuery): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  /** Run inside this caller's transaction (read-model changes commit atomically with the events). */
  client?: SqlClient;
}

export interface AppendResult {
  /** The stream's version after the append. */
  nextVersion: number;
  /** Global positions of the appended events, in order. */
  positions: number[];
  transactionId: string;
  /** The events as recorded. */
  events: RecordedEvent[];
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /** Where the next read starts; unchanged when nothing was read. */
  cursor: LogCursor;
}

/**
 * What a reader of the log may ask for (every given field must match). `objectId` is the id of the
 * object as the API returns it: the part of the stream id after its category.
 */
export interface EventFilter {
  objectId?: string;
  type?: string;
  correlationId?: string;
  actor?: string;
  /** Recorded at or after. */
  from?: Date;
  /** Recorded at or before. */
  to?: Date;
}

/** Where a point-in-time read stops: a global position (inclusive) or a time. */
export type AsOf = { position: number } | { time: Date };

export interface EventStore {
  append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** A stream's events in version order, from `fromVersion` (exclusive) to `toVersion` (inclusive), or as of a point of the log. */
  readStream(
    streamId: string,
    options?: { fromVersion?: number; toVersion?: number; asOf?: AsOf; client?: SqlClient },
  ): Promise<RecordedEvent[]>;
  /**
   * The stream's latest snapshot of `snapshotSchema` and its events after it, in one read; `before`,
   * a statement run first in the same round trip (the stream's writer lock). A store without it is
   * read snapshot first, then events.
   */
  readFromSnapshot?<S>(
    streamId: string,
    snapshotSchema: string,
    options?: { client?: SqlClient; before?: string },
  ): Promise<{ snapshot: { version: number; state: S } | null; events: RecordedEvent[] }>;
  /**
   * `readFromSnapshot` for several streams in one read (streams with nothing recorded are absent).
   * A store without it reads them one by one.
   */
  readManyFromSnapshot?<S>(
    streamIds: readonly string[],
    snapshotSchema: string,
    options?: { client?: SqlClient; before?: string },
  ): Promise<Map<string, { snapshot: { version: number; state: S } | null; events: RecordedEvent[] }>>;
  /**
   * Appends to several streams, each once and at its expected version, in one write: all of them
   * or none (a retryable VersionConflictError). A store without it appends them one by one.
   */
  appendMany?(
    appends: ReadonlyArray<{ streamId: string; expectedVersion: number; events: NewEvent[] }>,
    options?: { client?: SqlClient },
  ): Promise<AppendResult[]>;
  /** The stream's version as of a point of the log: that of its last event at or before it (0: none). */
  versionAt(streamId: string, asOf: AsOf, client?: SqlClient): Promise<number>;
  /**
   * Events in global order after `cursor`, never past the oldest transaction still running, so an
   * event whose transaction commits late is never skipped.
   */
  readAll(
    cursor: LogCursor,
    limit: number,
    options?: { filter?: EventFilter; client?: SqlClient; wholeLog?: boolean },
  ): Promise<ReadAllResult>;
  /** The global-order key of the event at `position` (or the nearest before it), or null if there is none. */
  cursorAt(position: number): Promise<LogCursor | null>;
  /** The cursor just past the last event recorded at or before `time`. */
  cursorAtTime(time: Date): Promise<LogCursor>;
  streamVersion(streamId: string, client?: SqlClient): Promise<number>;
  /** Whether the stream's event at `version` is at or before `asOf` (a read as of that point includes it). */
  reached(streamId: string, version: number, asOf: AsOf, client?: SqlClient): Promise<boolean>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
