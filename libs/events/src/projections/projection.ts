import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../store/event.js';
import type { SqlClient } from '../store/event-store.js';

/** What a projection writes with: the transaction of the events it projects. */
export interface ProjectionContext {
  manager: EntityManager;
  client: SqlClient;
}

/**
 * A read model built from events. Projections run inline, in the transaction that appends the
 * events, so a GET after an acknowledged write sees it; `POST /admin/rebuild` empties `tables` and
 * replays the whole log through `apply`.
 */
export interface Projection {
  readonly name: string;
  /** The read-model tables it owns, in the service's schema (emptied on rebuild). */
  readonly tables: readonly string[];
  apply(event: RecordedEvent, context: ProjectionContext): Promise<void>;
}

export const PROJECTIONS = Symbol('PROJECTIONS');
