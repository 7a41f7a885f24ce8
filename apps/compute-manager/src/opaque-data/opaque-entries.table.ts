import type { OpaqueEntityRef, OpaqueEntry } from '@vnet/contracts';
import type { SqlClient } from '@vnet/events';

/** A row of `liveEntriesText`, as PostgreSQL answers it. */
export interface OpaqueSqlRow {
  entity_type: OpaqueEntityRef['type'];
  entity_id: string;
  namespace: string;
  key: string;
  source: string;
  value_json: string | null;
}

/** A point of the log to read at: a position, or a time. */
export type OpaquePoint = { position: number } | { time: Date };

export interface OpaqueRow extends OpaqueEntry {
  /** '' for extensions' data, the host id for data a host module sent up. */
  source: string;
}

/**
 * The live entries of `entities` (the latest version of each, unless it is a delete), at `at` or
 * now, sorted by entity, namespace, key, source. Reads the `opaque_entries` read model.
 */
export async function opaqueEntriesOf(
  client: SqlClient,
  entities: readonly OpaqueEntityRef[],
  options: { at?: OpaquePoint; source?: 'extensions' | 'modules' } = {},
): Promise<OpaqueRow[]> {
  if (entities.length === 0) return [];
  const at = options.at;
  const params: unknown[] = [entities.map((e) => e.type), entities.map((e) => e.id)];
  let where = '';
  if (at) {
    params.push('position' in at ? at.position : at.time.toISOString());
    where += 'position' in at ? ` AND position <= $3` : ` AND recorded_at <= $3::timestamptz`;
  }
  if (options.source === 'extensions') where += ` AND source = ''`;
  if (options.source === 'modules') where += ` AND source <> ''`;
  const { rows } = await client.query<OpaqueSqlRow>(
    liveEntriesText('SELECT * FROM unnest($1::text[], $2::text[])', where),
    params,
  );
  return sortedOpaqueRows(rows);
}

/**
 * The statement of `opaqueEntriesOf`: the live entries of the `(entity_type, entity_id)` pairs that
 * `entities` (a SELECT) gives, `where` (` AND ...`) on top. Its rows go through `sortedOpaqueRows`.
 */
export function liveEntriesText(entities: string, where = ''): string {
  return `SELECT * FROM (
       SELECT DISTINCT ON (entity_type, entity_id, namespace, key, source) entity_type, entity_id, namespace, key, source, value_json
       FROM opaque_entries
       WHERE (entity_type, entity_id) IN (${entities})${where}
       ORDER BY entity_type, entity_id, namespace, key, source, position DESC, id DESC
     ) latest WHERE value_json IS NOT NULL`;
}

/** `liveEntriesText`'s rows as entries, sorted by entity, namespace, key, source. */
export function sortedOpaqueRows(rows: ReadonlyArray<OpaqueSqlRow>): OpaqueRow[] {
  return rows
    .map((r) => ({
      entity: { type: r.entity_type, id: r.entity_id },
      namespace: r.namespace,
      key: r.key,
      source: r.source,
      valueJson: r.value_json!,
    }))
    .sort(
      (a, b) =>
        cmp(a.entity.type, b.entity.type) ||
        cmp(a.entity.id, b.entity.id) ||
        cmp(a.namespace, b.namespace) ||
        cmp(a.key, b.key) ||
        cmp(a.source, b.source),
    );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Records one version of one entry (`valueJson` null: deleted), as of the event at `position`. */
export async function recordOpaqueVersion(
  client: SqlClient,
  at: { position: number; recordedAt: Date; owner: string },
  row: { source: string; entity: OpaqueEntityRef; namespace: string; key: string; valueJson: string | null },
): Promise<void> {
  await client.query(
    `INSERT INTO opaque_entries (position, recorded_at, owner, source, entity_type, entity_id, namespace, key, value_json)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [at.position, at.recordedAt, at.owner, row.source, row.entity.type, row.entity.id, row.namespace, row.key, row.valueJson],
  );
}

/** The live extension entries an owner (a stream) wrote. */
export async function opaqueEntriesOwnedBy(client: SqlClient, owner: string): Promise<OpaqueEntry[]> {
  const { rows } = await client.query<{
    entity_type: OpaqueEntityRef['type'];
    entity_id: string;
    namespace: string;
    key: string;
    value_json: string | null;
  }>(
    `SELECT * FROM (
       SELECT DISTINCT ON (entity_type, entity_id, namespace, key) entity_type, entity_id, namespace, key, value_json
       FROM opaque_entries WHERE owner = $1 AND source = ''
       ORDER BY entity_type, entity_id, namespace, key, position DESC, id DESC
     ) latest WHERE value_json IS NOT NULL`,
    [owner],
  );
  return rows.map((r) => ({
    entity: { type: r.entity_type, id: r.entity_id },
    namespace: r.namespace,
    key: r.key,
    valueJson: r.value_json!,
  }));
}
