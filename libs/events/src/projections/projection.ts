import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../store/event.js';
import type { SqlClient } from '../store/event-store.js';

/** What a projection writes with: the transaction of the events it projects. */
export interface ProjectionContext {
  manager: EntityManager;
  client: SqlClient;
}

/** What a rebuild projects a batch with: its transaction, and writes it need not wait for. */
export interface BatchContext extends ProjectionContext {
  /**
   * Sends a statement whose result the projection does not need, after every statement sent before
   * it on the transaction's connection, and goes on without waiting for it: the projection computes
   * while the server runs it, and whatever is sent later through `client` (a read of what it wrote
   * too) runs after it. Writes may be held and sent together. Its failure fails the rebuild.
   */
  write(text: string, values?: unknown[]): void;
  /**
   * Present when the tables of the projections were emptied before the first page and nothing but
   * this context writes them until the last (a rebuild: it truncated them, and holds them locked
   * until it commits). A projection may keep here, under its name, what it wrote, and know it on a
   * later page without reading it back. What it does not keep, it reads as it would without this.
   */
  readonly kept?: Map<string, unknown>;
}

/**
 * A read model built from events. Projections run inline, in the transaction that appends the
 * events, so a GET after an acknowledged write sees it; `POST /admin/rebuild` empties `tables` and
 * replays the whole log, a page at a time (see `projectPage`).
 */
export interface Projection {
  readonly name: string;
  /** The read-model tables it owns, in the service's schema (emptied on rebuild). */
  readonly tables: readonly string[];
  apply(event: RecordedEvent, context: ProjectionContext): Promise<void>;
  /**
   * The same effect as `apply` on each event in turn, in a few set-based statements: what a
   * rebuild replays with. Absent: the rebuild applies the events one by one.
   */
  applyBatch?(events: readonly RecordedEvent[], context: BatchContext): Promise<void>;
  /**
   * True for an event whose projection here reads what the projections before this one wrote for
   * that very event (their tables as of it). A batch ends at such an event, so that the projections
   * before have written it when this one reads.
   */
  readsEarlierModels?(event: RecordedEvent): boolean;
  /**
   * The projections (by name) whose tables this one reads; it reads no other but its own. Declared,
   * a rebuild projects a batch through this one while the projections it does not read project the
   * same batch, their statements interleaved on the transaction's connection: one computes while the
   * server runs another's. Writes two of them make to one table must commute (the host ports
   * revision bumps are additions). Absent: it may read anything, and runs alone, after every
   * projection before it and before any after it.
   */
  readonly reads?: readonly string[];
}

export const PROJECTIONS = Symbol('PROJECTIONS');
