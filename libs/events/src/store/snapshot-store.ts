import type { SqlClient } from './event-store.js';
import { schemaIdentifier } from './schema.js';

export interface Snapshot<S> {
  version: number;
  state: S;
}

/**
 * Aggregate snapshots, every one kept: a stream has one per `snapshotEvery` events, so a read as of
 * any point of its history folds at most that many events. `schemaVersion` names the shape of the
 * state: a snapshot written by another shape is ignored (the stream is folded from an older one, or
 * from its start, instead), so changing a decider never resurrects a stale state.
 */
export class SnapshotStore {
  private readonly table: string;

  constructor(
    private readonly pool: SqlClient,
    schema: string,
  ) {
    this.table = `${schemaIdentifier(schema)}.snapshots`;
  }

  /** The latest snapshot of the stream, or the latest at or below `atMost` (a version). */
  async load<S>(streamId: string, schemaVersion: string, client: SqlClient = this.pool, atMost?: number): Promise<Snapshot<S> | null> {
    const { rows } = await client.query<{ version: string; state: S }>(
      atMost === undefined
        ? `SELECT version, state FROM ${this.table} WHERE stream_id = $1 AND schema_version = $2 ORDER BY version DESC LIMIT 1`
        : `SELECT version, state FROM ${this.table} WHERE stream_id = $1 AND schema_version = $2 AND version <= $3 ORDER BY version DESC LIMIT 1`,
      atMost === undefined ? [streamId, schemaVersion] : [streamId, schemaVersion, atMost],
    );
    return rows[0] ? { version: Number(rows[0].version), state: rows[0].state } : null;
  }

  /** Keeps snapshots of the stream; one already kept at a version stays, unless of another shape. */
  async save<S>(streamId: string, schemaVersion: string, snapshots: ReadonlyArray<Snapshot<S>>, client: SqlClient = this.pool): Promise<void> {
    if (snapshots.length === 0) return;
    await client.query(
      `INSERT INTO ${this.table} (stream_id, version, schema_version, state)
       SELECT $1, s.version, $2, s.state FROM jsonb_to_recordset($3::jsonb) AS s(version bigint, state jsonb)
       ON CONFLICT (stream_id, version) DO UPDATE SET schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, recorded_at = now()
       WHERE ${this.table}.schema_version <> EXCLUDED.schema_version`,
      [streamId, schemaVersion, JSON.stringify(snapshots)],
    );
  }

  async clear(client: SqlClient = this.pool): Promise<void> {
    await client.query(`DELETE FROM ${this.table}`);
  }
}
