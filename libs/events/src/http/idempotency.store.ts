import type { SqlClient } from '../store/event-store.js';
import { schemaIdentifier } from '../store/schema.js';

export type IdempotencyClaim =
  { kind: 'claimed' } | { kind: 'replay'; statusCode: number; response: unknown } | { kind: 'pending' } | { kind: 'mismatch' };

/** Remembers the first answer to a create under an `Idempotency-Key` for 24 h. */
export interface IdempotencyStore {
  claim(scope: string, key: string, requestHash: string): Promise<IdempotencyClaim>;
  complete(scope: string, key: string, statusCode: number, response: unknown): Promise<void>;
  release(scope: string, key: string): Promise<void>;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

/** A claim left pending this long belongs to a request that died: the next one may take it over. */
const ABANDONED_AFTER = "interval '60 seconds'";

export class PgIdempotencyStore implements IdempotencyStore {
  private readonly table: string;

  constructor(
    private readonly pool: SqlClient,
    schema: string,
  ) {
    this.table = `${schemaIdentifier(schema)}.idempotency_keys`;
  }

  async claim(scope: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const { rows: claimed } = await this.pool.query(
      `INSERT INTO ${this.table} AS k (key, scope, request_hash, status_code) VALUES ($1, $2, $3, 0)
       ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status_code = 0, response = NULL, created_at = now()
       WHERE k.created_at < now() - interval '24 hours' OR (k.status_code = 0 AND k.created_at < now() - ${ABANDONED_AFTER})
       RETURNING 1`,
      [key, scope, requestHash],
    );
    if (claimed.length) return { kind: 'claimed' };
    const { rows } = await this.pool.query<{ request_hash: string; status_code: number; response: unknown }>(
      `SELECT request_hash, status_code, response FROM ${this.table} WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    const row = rows[0];
    if (!row) return this.claim(scope, key, requestHash);
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status_code === 0) return { kind: 'pending' };
    return { kind: 'replay', statusCode: row.status_code, response: row.response };
  }

  async complete(scope: string, key: string, statusCode: number, response: unknown): Promise<void> {
    await this.pool.query(`UPDATE ${this.table} SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2`, [
      scope,
      key,
      statusCode,
      JSON.stringify(response ?? null),
    ]);
  }

  async release(scope: string, key: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE scope = $1 AND key = $2 AND status_code = 0`, [scope, key]);
  }
}
