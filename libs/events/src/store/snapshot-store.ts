import type { SqlClient } from './event-store.js';
import { schemaIdentifier } from './schema.js';

export interface Snapshot<S> {
  version: number;
  state: S;
}

/**
 * Aggregate snapshots. `schemaVersion` names the shape of the state: a snapshot written by another
 * shape is ignored (the stream is folded from its start instead), so changing a decider never
 * resurrects a stale state.
 */
export class SnapshotStore {
  private readonly table: string;

  constructor(
    private readonly pool: SqlClient,
    schema: string,
  ) {
    this.table = `${schemaIdentifier(schema)}.snapshots`;
  }

  async load<S>(streamId: string, schemaVersion: string, client: SqlClient = this.pool): Promise<Snapshot<S> | null> {
    const { rows } = await client.query<{ version: string; state: S }>(
      `SELECT version, state FROM ${this.table} WHERE stream_id = $1 AND schema_version = $2`,
      [streamId, schemaVersion],
    );
    return rows[0] ? { version: Number(rows[0].version), state: rows[0].state } : null;
  }

  async save<S>(streamId: string, schemaVersion: string, snapshot: Snapshot<S>, client: SqlClient = this.pool): Promise<void> {
    await client.query(
      `INSERT INTO ${this.table} (stream_id, version, schema_version, state) VALUES ($1, $2, $3, $4)
       ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, schema_version = EXCLUDED.schema_version,
         state = EXCLUDED.state, recorded_at = now()
       WHERE ${this.table}.version < EXCLUDED.version OR ${this.table}.schema_version <> EXCLUDED.schema_version`,
      [streamId, snapshot.version, schemaVersion, JSON.stringify(snapshot.state)],
    );
  }

  async clear(client: SqlClient = this.pool): Promise<void> {
    await client.query(`DELETE FROM ${this.table}`);
  }
}
