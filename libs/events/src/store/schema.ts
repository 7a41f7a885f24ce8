const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes a schema name after checking it is a plain identifier (it ends up in SQL text). */
export function schemaIdentifier(schema: string): string {
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  return `"${schema}"`;
}

/**
 * The event store's tables. `transaction_id` with `position` gives the global order that readers
 * follow; readers stay below the oldest running transaction that may write it, see belowHorizon.
 */
export function eventStoreDdl(schema: string): string[] {
  const s = schemaIdentifier(schema);
  return [
    // Not CREATE SCHEMA IF NOT EXISTS: that needs CREATE on the database even when the schema is
    // there, and a manager's role owns its schema without it.
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '${schema}') THEN CREATE SCHEMA ${s}; END IF; END $$`,
    `CREATE TABLE IF NOT EXISTS ${s}.streams (
       stream_id text PRIMARY KEY,
       version bigint NOT NULL
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.events (
       position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
       id uuid NOT NULL,
       stream_id text NOT NULL,
       version bigint NOT NULL,
       type text NOT NULL,
       data jsonb NOT NULL,
       metadata jsonb NOT NULL,
       recorded_at timestamptz NOT NULL DEFAULT now(),
       CONSTRAINT events_stream_version UNIQUE (stream_id, version)
     )`,
    `CREATE INDEX IF NOT EXISTS events_global_order ON ${s}.events (transaction_id, position)`,
    `CREATE INDEX IF NOT EXISTS events_recorded_at ON ${s}.events (recorded_at)`,
    eventObjectOrderIndexDdl(schema),
    ...eventFilterStatisticsDdl(schema),
    `CREATE TABLE IF NOT EXISTS ${s}.snapshots (
       stream_id text NOT NULL,
       version bigint NOT NULL,
       schema_version text NOT NULL,
       state jsonb NOT NULL,
       recorded_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (stream_id, version)
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.checkpoints (
       name text PRIMARY KEY,
       transaction_id xid8 NOT NULL,
       position bigint NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.handled_messages (
       consumer text NOT NULL,
       message_id text NOT NULL,
       handled_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (consumer, message_id)
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.idempotency_keys (
       key text NOT NULL,
       scope text NOT NULL,
       request_hash text NOT NULL,
       status_code int NOT NULL,
       response jsonb,
       created_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (scope, key)
     )`,
    `CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON ${s}.idempotency_keys (created_at)`,
  ];
}

/** The id of the object a stream is about, as the API returns it: the stream id after its category. */
export const OBJECT_ID = `substr(stream_id, strpos(stream_id, '-') + 1)`;

/**
 * One object's events in global order (`GET /events?streamId=<id>`): without it PostgreSQL reads the
 * whole log, or a whole stream, and sorts it in memory before the first page.
 */
export function eventObjectOrderIndexDdl(schema: string): string {
  return `CREATE INDEX IF NOT EXISTS events_object_order ON ${schemaIdentifier(schema)}.events ((${OBJECT_ID}), transaction_id, position)`;
}

/**
 * Statistics on the metadata `/events` filters by (`actor`, `correlationId`). Without them PostgreSQL
 * guesses that a filter keeps a few rows of an object's events, reads the whole object and sorts it,
 * where walking `events_object_order` to the page's end reads one page.
 */
export function eventFilterStatisticsDdl(schema: string): string[] {
  const s = schemaIdentifier(schema);
  return [
    `CREATE STATISTICS IF NOT EXISTS ${s}.events_actor ON (metadata->>'actor') FROM ${s}.events`,
    `CREATE STATISTICS IF NOT EXISTS ${s}.events_correlation ON (metadata->>'correlationId') FROM ${s}.events`,
  ];
}

/** Every snapshot of a stream kept, not only its latest: for logs created when one was kept per stream. */
export function snapshotHistoryDdl(schema: string): string[] {
  const s = schemaIdentifier(schema);
  return [
    `ALTER TABLE ${s}.snapshots DROP CONSTRAINT IF EXISTS snapshots_pkey`,
    `ALTER TABLE ${s}.snapshots ADD PRIMARY KEY (stream_id, version)`,
  ];
}
