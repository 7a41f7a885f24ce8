/** Who and what caused an event: travels in event metadata and in NATS headers. */
export interface EventMetadata {
  correlationId: string;
  causationId: string | null;
  actor: string;
  [key: string]: unknown;
}

/** An event about to be appended: ids and time come from the caller, never from the domain. */
export interface NewEvent<T extends string = string, D = unknown> {
  id: string;
  type: T;
  data: D;
  metadata: EventMetadata;
}

/** An event as recorded in the log. `position` is global; `version` is its place in its stream. */
export interface RecordedEvent<T extends string = string, D = unknown> {
  id: string;
  position: number;
  /** The writing transaction: with `position`, the key of the log's global order. */
  transactionId: string;
  streamId: string;
  version: number;
  type: T;
  data: D;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** A point in the global order: (transaction, position), compared in that order. */
export interface LogCursor {
  transactionId: string;
  position: number;
}

export const LOG_START: LogCursor = { transactionId: '0', position: 0 };
