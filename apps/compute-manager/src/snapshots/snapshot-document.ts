import type { OpaqueEntry, PortGroupConfig } from '@vnet/contracts';
import { describeValidationErrors } from '@vnet/events';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { SnapshotDocumentSchema, SnapshotDocumentV2Schema } from './snapshot-document.schema.js';
import { SnapshotInvalidError } from './snapshot-invalid.error.js';

export const SNAPSHOT_SCHEMA = 'vnet.switch-snapshot';
/** The version written; every version in SNAPSHOT_SCHEMA_VERSIONS is read. */
export const SNAPSHOT_SCHEMA_VERSION = 2;
export const SNAPSHOT_SCHEMA_VERSIONS = [1, 2] as const;

export type SnapshotPortGroup = Omit<PortGroupConfig, 'changedAtRevision'>;

/** The switch as a snapshot holds it: its whole configuration at one revision. */
export interface SnapshotSwitch {
  id: string;
  name: string;
  revision: number;
  mtu: number;
  rollbackTimeoutMs: number;
  hostIds: string[];
  portGroups: SnapshotPortGroup[];
}

/**
 * Extensions' data on the switch and its port groups (version 2): each entry as in the switch's
 * desired state, `valueJson` the value's JSON text as the extension sent it.
 */
export interface SnapshotOpaque {
  entries: OpaqueEntry[];
}

/**
 * A switch snapshot as stored, outside the compute manager's database: self-describing (`schema`,
 * `schemaVersion`) so that it can be read back by a compute manager that knows nothing else of it.
 * `overrides` (per-host port overrides) is empty until that feature exists. `opaque` is empty in
 * version 1 (written before extensions' data existed); version 2 holds `{entries}` in it.
 */
export interface SnapshotDocument {
  schema: typeof SNAPSHOT_SCHEMA;
  schemaVersion: (typeof SNAPSHOT_SCHEMA_VERSIONS)[number];
  id: string;
  createdAt: string;
  switch: SnapshotSwitch;
  overrides: unknown[];
  opaque: SnapshotOpaque | Record<string, never>;
}

/** The opaque entries a document holds; undefined for version 1, which holds none (a restore keeps the target's own). */
export function snapshotOpaqueEntries(doc: SnapshotDocument): OpaqueEntry[] | undefined {
  return doc.schemaVersion === 1 ? undefined : ((doc.opaque as SnapshotOpaque).entries ?? []);
}

export function snapshotDocument(id: string, createdAt: Date, sw: SnapshotSwitch, opaque: OpaqueEntry[] = []): SnapshotDocument {
  return {
    schema: SNAPSHOT_SCHEMA,
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    id,
    createdAt: createdAt.toISOString(),
    switch: {
      id: sw.id,
      name: sw.name,
      revision: sw.revision,
      mtu: sw.mtu,
      rollbackTimeoutMs: sw.rollbackTimeoutMs,
      hostIds: [...sw.hostIds],
      portGroups: sw.portGroups.map(({ id: pgId, name, vlanId, management, policy }) => ({
        id: pgId,
        name,
        vlanId,
        management,
        policy,
      })),
    },
    overrides: [],
    opaque: {
      entries: opaque.map(({ entity, namespace, key, valueJson }) => ({
        entity: { type: entity.type, id: entity.id },
        namespace,
        key,
        valueJson,
      })),
    },
  };
}

/**
 * Reads a stored snapshot, whole, before anything is decided from it: the bytes must be JSON, of
 * this schema and a version this compute manager reads, valid in every field, and be the snapshot
 * stored under `id`. Anything else throws SnapshotInvalidError naming each fault. Pure.
 */
export function parseSnapshotDocument(id: string, bytes: Uint8Array | string): SnapshotDocument {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new SnapshotInvalidError(id, [`not JSON (${(err as Error).message})`]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SnapshotInvalidError(id, ['not a JSON object']);
  const doc = value as Record<string, unknown>;
  // Which document it is comes first: the fields of another schema or version mean nothing here.
  if (doc.schema !== SNAPSHOT_SCHEMA)
    throw new SnapshotInvalidError(id, [`schema: ${JSON.stringify(doc.schema ?? null)} is not "${SNAPSHOT_SCHEMA}"`]);
  if (!(SNAPSHOT_SCHEMA_VERSIONS as readonly unknown[]).includes(doc.schemaVersion)) {
    throw new SnapshotInvalidError(id, [
      `schemaVersion: ${JSON.stringify(doc.schemaVersion ?? null)} is not a version this compute manager reads (it reads ${SNAPSHOT_SCHEMA_VERSIONS.join(', ')})`,
    ]);
  }
  const schema: new () => object = doc.schemaVersion === 1 ? SnapshotDocumentSchema : SnapshotDocumentV2Schema;
  const errors = validateSync(plainToInstance(schema, doc), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  const problems = [...describeValidationErrors(errors), ...consistency(id, value as SnapshotDocument)];
  if (problems.length) throw new SnapshotInvalidError(id, problems);
  return value as SnapshotDocument;
}

/** What the field-by-field schema cannot say: the document is whole and belongs where it is stored. */
function consistency(id: string, doc: SnapshotDocument): string[] {
  const problems: string[] = [];
  if (typeof doc.id === 'string' && doc.id !== id) problems.push(`id: ${doc.id} is not the snapshot stored as ${id}`);
  const groups = Array.isArray(doc.switch?.portGroups) ? doc.switch.portGroups : [];
  const ids = groups.map((pg) => pg?.id);
  const twice = [...new Set(ids.filter((pgId, i) => ids.indexOf(pgId) !== i))];
  if (twice.length) problems.push(`switch.portGroups: port group ids given more than once: ${twice.join(', ')}`);
  const hostIds = Array.isArray(doc.switch?.hostIds) ? doc.switch.hostIds : [];
  if (new Set(hostIds).size !== hostIds.length) problems.push('switch.hostIds: a host is given more than once');
  // Version 1 has the slots but nothing to put back into them yet: a document that holds some would be restored only in part.
  if (Array.isArray(doc.overrides) && doc.overrides.length) problems.push('overrides: must be empty in schema version 1');
  if (doc.schemaVersion === 1 && doc.opaque && typeof doc.opaque === 'object' && Object.keys(doc.opaque).length)
    problems.push('opaque: must be empty in schema version 1');
  if (doc.schemaVersion !== 1) {
    const entries = Array.isArray((doc.opaque as SnapshotOpaque)?.entries) ? (doc.opaque as SnapshotOpaque).entries : [];
    const groupIds = new Set(ids);
    const stray = entries.filter(
      (e) =>
        e?.entity &&
        (e.entity.type === 'switch'
          ? e.entity.id !== doc.switch?.id
          : e.entity.type === 'port-group' && !groupIds.has(e.entity.id)),
    );
    if (stray.length)
      problems.push(
        `opaque.entries: entries of entities that are not the switch or its port groups: ${stray.map((e) => e.entity.id).join(', ')}`,
      );
    const keys = entries.map((e) => `${e?.entity?.type}/${e?.entity?.id}/${e?.namespace}/${e?.key}`);
    if (new Set(keys).size !== keys.length) problems.push('opaque.entries: an entry is given more than once');
  }
  return problems;
}
