import { createHash } from 'node:crypto';
import pg from 'pg';
import { VersionConflictError } from '../errors/domain-error.js';
import type { EventMetadata, LogCursor, NewEvent, RecordedEvent } from './event.js';
import type { AppendOptions, AppendResult, AsOf, EventFilter, EventStore, ReadAllResult, SqlClient } from './event-store.js';
import { EventUpcasters, SCHEMA_VERSION_KEY } from './event-upcasters.js';
import { OBJECT_ID, schemaIdentifier } from './schema.js';
import type { Snapshot } from './snapshot-store.js';

interface EventRow {
  position: string;
  transaction_id: string;
  id: string;
  stream_id: string;
  version: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

// xid8 arrives from pg as a string. Never select it cast to text under its own name: ORDER BY would
// then sort by the text ('1000' < '999') and the keyset cursor would skip events.
const COLUMNS = 'position, transaction_id, id, stream_id, version, type, data, metadata, recorded_at';

// bigint columns arrive from pg as strings: convert at this edge. An event recorded at an older
// schema version is read in the current shape, its metadata naming the version it now has.
function toRecorded(row: EventRow, upcasters: EventUpcasters): RecordedEvent {
  let { data, metadata } = row;
  if (!upcasters.empty) {
    const recorded = EventUpcasters.versionOf(metadata);
    const current = upcasters.currentVersion(row.type);
    if (recorded < current) {
      data = upcasters.upcast(row.type, recorded, data);
      metadata = { ...metadata, [SCHEMA_VERSION_KEY]: current };
    }
  }
  return {
    id: row.id,
    position: Number(row.position),
    transactionId: row.transaction_id,
    streamId: row.stream_id,
    version: Number(row.version),
    type: row.type,
    data,
    metadata,
    recordedAt: row.recorded_at,
  };
}

/**
 * The event store on PostgreSQL, in plain SQL: one round trip per append, whatever the number of
 * events (the stream row is checked and moved, and the events inserted, in one statement).
 */
export class PgEventStore implements EventStore {
  private readonly sql: ReturnType<typeof statements>;
  private readonly filteredStatements = new Map<string, ReturnType<typeof prepared>>();

  private readonly schema: string;
  private readonly toRecorded: (row: EventRow) => RecordedEvent;

  /** `upcasters`: each event type's schema version, stamped on append, and the upcasts applied on read. */
  constructor(
    private readonly pool: SqlClient,
    schema: string,
    readonly upcasters = new EventUpcasters(),
  ) {
    this.toRecorded = (row) => toRecorded(row, upcasters);
    this.schema = schemaIdentifier(schema);
    this.sql = statements(this.schema);
  }

  async append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) {
      const version = await this.streamVersion(streamId, options.client);
      if (options.expectedVersion !== 'any' && options.expectedVersion !== version) {
        throw new VersionConflictError(streamId, options.expectedVersion, version || null);
      }
      return { nextVersion: version, positions: [], transactionId: '0', events: [] };
    }
    const client = options.client ?? this.pool;
    const ids = events.map((e) => e.id);
    const types = events.map((e) => e.type);
    const data = events.map((e) => JSON.stringify(e.data ?? null));
    const metadata = events.map((e) => JSON.stringify(this.stamped(e)));
    const n = events.length;
    type Row = { position: string; version: string; transaction_id: string; recorded_at: Date };
    const { rows } =
      options.expectedVersion === 'any'
        ? await client.query<Row>(this.sql.appendAny.with([streamId, n, ids, types, data, metadata]))
        : await client.query<Row>(
            this.sql.appendExpected.with([
              streamId,
              options.expectedVersion,
              options.expectedVersion + n,
              ids,
              types,
              data,
              metadata,
            ]),
          );
    if (rows.length !== n) {
      const actual = await this.streamVersion(streamId, options.client);
      throw new VersionConflictError(streamId, options.expectedVersion, actual || null, true);
    }
    return {
      nextVersion: Number(rows[n - 1].version),
      positions: rows.map((r) => Number(r.position)),
      transactionId: rows[0].transaction_id,
      events: rows.map((r, i) => ({
        id: events[i].id,
        position: Number(r.position),
        transactionId: r.transaction_id,
        streamId,
        version: Number(r.version),
        type: events[i].type,
        data: events[i].data ?? null,
        metadata: this.stamped(events[i]),
        recordedAt: r.recorded_at,
      })),
    };
  }

  /**
   * Appends to several streams in one statement, each at its expected version (a number: 0 for a
   * stream that must not exist yet), each stream once: either every stream moves and every event is
   * inserted, or the statement throws a retryable VersionConflictError (the caller's transaction is
   * then to be rolled back, some streams may have moved in it). The events take their global
   * positions in the order given, stream after stream. Answers each stream's result, in order.
   */
  async appendMany(
    appends: ReadonlyArray<{ streamId: string; expectedVersion: number; events: NewEvent[] }>,
    options: { client?: SqlClient } = {},
  ): Promise<AppendResult[]> {
    const given = appends.filter((a) => a.events.length > 0);
    if (given.length === 0)
      return appends.map((a) => ({ nextVersion: a.expectedVersion, positions: [], transactionId: '0', events: [] }));
    if (new Set(given.map((a) => a.streamId)).size !== given.length)
      throw new Error('appendMany: a stream is given more than once');
    const client = options.client ?? this.pool;
    const all = given.flatMap((a) => a.events.map((e, i) => ({ streamId: a.streamId, nth: i + 1, event: e })));
    type Row = { position: string; stream_id: string; version: string; transaction_id: string; recorded_at: Date };
    const { rows } = await client.query<Row>(
      this.sql.appendMany.with([
        given.map((a) => a.streamId),
        given.map((a) => a.expectedVersion),
        given.map((a) => a.expectedVersion + a.events.length),
        all.map((e) => e.event.id),
        all.map((e) => e.streamId),
        all.map((e) => e.nth),
        all.map((e) => e.event.type),
        all.map((e) => JSON.stringify(e.event.data ?? null)),
        all.map((e) => JSON.stringify(this.stamped(e.event))),
      ]),
    );
    if (rows.length !== all.length) {
      const moved = new Set(rows.map((r) => r.stream_id));
      const lost = given.find((a) => !moved.has(a.streamId)) ?? given[0];
      const actual = await this.streamVersion(lost.streamId, options.client);
      throw new VersionConflictError(lost.streamId, lost.expectedVersion, actual || null, true);
    }
    const byKey = new Map(rows.map((r) => [`${r.stream_id}|${r.version}`, r]));
    return appends.map((a) => {
      if (a.events.length === 0) return { nextVersion: a.expectedVersion, positions: [], transactionId: '0', events: [] };
      const events = a.events.map((e, i): RecordedEvent => {
        const r = byKey.get(`${a.streamId}|${a.expectedVersion + i + 1}`)!;
        return {
          id: e.id,
          position: Number(r.position),
          transactionId: r.transaction_id,
          streamId: a.streamId,
          version: Number(r.version),
          type: e.type,
          data: e.data ?? null,
          metadata: this.stamped(e),
          recordedAt: r.recorded_at,
        };
      });
      return {
        nextVersion: events.at(-1)!.version,
        positions: events.map((e) => e.position),
        transactionId: events[0].transactionId,
        events,
      };
    });
  }

  async readStream(
    streamId: string,
    options: { fromVersion?: number; toVersion?: number; asOf?: AsOf; client?: SqlClient } = {},
  ): Promise<RecordedEvent[]> {
    const client = options.client ?? this.pool;
    const from = options.fromVersion ?? 0;
    const asOf = options.asOf;
    let result;
    if (options.toVersion !== undefined) {
      result = await client.query<EventRow>(this.sql.readStreamRange.with([streamId, from, options.toVersion]));
    } else if (!asOf) {
      result = await client.query<EventRow>(this.sql.readStream.with([streamId, from]));
    } else if ('position' in asOf) {
      const cursor = await this.cursorAt(asOf.position);
      if (!cursor) return [];
      result = await client.query<EventRow>(
        this.sql.readStreamToCursor.with([streamId, from, cursor.transactionId, cursor.position]),
      );
    } else {
      result = await client.query<EventRow>(this.sql.readStreamToTime.with([streamId, from, asOf.time]));
    }
    return result.rows.map(this.toRecorded);
  }

  /**
   * The stream's latest snapshot of `snapshotSchema` and its events after it, read in one statement
   * (one snapshot of the data, one round trip). `before`: a statement sent in the same round trip and
   * run first, such as taking the stream's writer lock; the read after it has its own snapshot of
   * the data (READ COMMITTED takes one per statement), so it sees every commit the lock waited for.
   */
  async readFromSnapshot<S>(
    streamId: string,
    snapshotSchema: string,
    options: { client?: SqlClient; before?: string } = {},
  ): Promise<{ snapshot: Snapshot<S> | null; events: RecordedEvent[] }> {
    const client = options.client ?? this.pool;
    let rows: EventRow[];
    if (options.before === undefined) {
      ({ rows } = await client.query<EventRow>(this.sql.readFromSnapshot.with([streamId, snapshotSchema])));
    } else {
      // Two statements in one query: sent as text, the values as literals (pg's own quoting).
      const text = `${options.before};\n${readFromSnapshotText(this.schema, pg.escapeLiteral(streamId), pg.escapeLiteral(snapshotSchema))}`;
      const results = (await client.query(text)) as unknown as Array<{ rows: EventRow[] }>;
      rows = results[results.length - 1].rows;
    }
    // The snapshot's row (no position) comes first: its version is below every event's after it.
    const first = rows[0];
    const snapshot = first && first.position === null ? { version: Number(first.version), state: first.data as S } : null;
    const events = (snapshot ? rows.slice(1) : rows).map(this.toRecorded);
    return { snapshot, events };
  }

  /**
   * `readFromSnapshot` for several streams in one statement: each stream's latest snapshot of
   * `snapshotSchema` and its events after it. `before`: a statement sent in the same round trip and
   * run first (the streams' writer locks). Streams with nothing recorded are absent from the answer.
   */
  async readManyFromSnapshot<S>(
    streamIds: readonly string[],
    snapshotSchema: string,
    options: { client?: SqlClient; before?: string } = {},
  ): Promise<Map<string, { snapshot: Snapshot<S> | null; events: RecordedEvent[] }>> {
    const client = options.client ?? this.pool;
    const ids = `ARRAY[${streamIds.map((id) => pg.escapeLiteral(id)).join(', ')}]::text[]`;
    const text = readManyFromSnapshotText(this.schema, ids, pg.escapeLiteral(snapshotSchema));
    let rows: EventRow[];
    if (options.before === undefined) ({ rows } = await client.query<EventRow>(text));
    else {
      const results = (await client.query(`${options.before};\n${text}`)) as unknown as Array<{ rows: EventRow[] }>;
      rows = results[results.length - 1].rows;
    }
    const read = new Map<string, { snapshot: Snapshot<S> | null; events: RecordedEvent[] }>();
    // Each stream's rows together, in version order: its snapshot's row (no position) first.
    for (const row of rows) {
      let stream = read.get(row.stream_id);
      if (!stream) read.set(row.stream_id, (stream = { snapshot: null, events: [] }));
      if (row.position === null) stream.snapshot = { version: Number(row.version), state: row.data as S };
      else stream.events.push(this.toRecorded(row));
    }
    return read;
  }

  async readAll(
    cursor: LogCursor,
    limit: number,
    options: { filter?: EventFilter; client?: SqlClient; wholeLog?: boolean } = {},
  ): Promise<ReadAllResult> {
    const client = options.client ?? this.pool;
    const page = [cursor.transactionId, cursor.position, limit];
    const filtered = options.filter ? this.filtered(options.filter) : null;
    const { rows } = options.wholeLog
      ? await client.query<EventRow>(this.sql.readWholeLog.with(page))
      : filtered
        ? await client.query<EventRow>(filtered.statement.with([...page, ...filtered.values]))
        : await client.query<EventRow>(this.sql.readAll.with(page));
    const events = rows.map(this.toRecorded);
    const last = events.at(-1);
    return { events, cursor: last ? { transactionId: last.transactionId, position: last.position } : cursor };
  }

  /**
   * The statement for the filters given, and its values. Each combination is its own statement with
   * only its own conditions, so its plan can use the index a condition has (an object's events
   * through `events_object_order`); a generic `$n IS NULL OR ...` would leave it a scan of the log.
   */
  private filtered(filter: EventFilter): { statement: ReturnType<typeof prepared>; values: unknown[] } | null {
    const given = FILTERS.filter((c) => filter[c.field] !== undefined);
    if (given.length === 0) return null;
    const key = given.map((c) => c.field).join(',');
    let statement = this.filteredStatements.get(key);
    if (!statement) {
      const conditions = given.map((c, i) => c.sql(`$${4 + i}`));
      statement = prepared(readAllText(this.schema, conditions));
      this.filteredStatements.set(key, statement);
    }
    return { statement, values: given.map((c) => filter[c.field]) };
  }

  /** The metadata an event is recorded with: its type's schema version beside the caller's, when above 1. */
  private stamped(event: NewEvent): EventMetadata {
    const version = this.upcasters.currentVersion(event.type);
    return version === 1 ? event.metadata : { ...event.metadata, [SCHEMA_VERSION_KEY]: version };
  }

  async cursorAt(position: number): Promise<LogCursor | null> {
    const { rows } = await this.pool.query<{ transaction_id: string; position: string }>(this.sql.cursorAt.with([position]));
    return rows[0] ? { transactionId: rows[0].transaction_id, position: Number(rows[0].position) } : null;
  }

  async cursorAtTime(time: Date): Promise<LogCursor> {
    const { rows } = await this.pool.query<{ transaction_id: string; position: string }>(this.sql.cursorAtTime.with([time]));
    return rows[0]
      ? { transactionId: rows[0].transaction_id, position: Number(rows[0].position) }
      : { transactionId: '0', position: 0 };
  }

  async versionAt(streamId: string, asOf: AsOf, client: SqlClient = this.pool): Promise<number> {
    if ('position' in asOf) {
      const objectId = streamId.slice(streamId.indexOf('-') + 1);
      const { rows } = await client.query<{ version: string }>(
        this.sql.versionAtPosition.with([objectId, streamId, asOf.position]),
      );
      return rows[0] ? Number(rows[0].version) : 0;
    }
    const { rows } = await client.query<{ version: string | null }>(this.sql.versionAtTime.with([streamId, asOf.time]));
    return rows[0]?.version ? Number(rows[0].version) : 0;
  }

  async reached(streamId: string, version: number, asOf: AsOf, client: SqlClient = this.pool): Promise<boolean> {
    if ('position' in asOf) {
      const cursor = await this.cursorAt(asOf.position);
      if (!cursor) return false;
      const { rows } = await client.query(
        this.sql.reachedCursor.with([streamId, version, cursor.transactionId, cursor.position]),
      );
      return rows.length > 0;
    }
    const { rows } = await client.query(this.sql.reachedTime.with([streamId, version, asOf.time]));
    return rows.length > 0;
  }

  async streamVersion(streamId: string, client: SqlClient = this.pool): Promise<number> {
    const { rows } = await client.query<{ version: string }>(this.sql.streamVersion.with([streamId]));
    return rows[0] ? Number(rows[0].version) : 0;
  }
}

/**
 * The conditions `/events` can combine. The object id is the stream id after its category (a
 * category holds no '-'), written exactly as the `events_object_order` index is, so that it is used.
 */
const FILTERS: Array<{ field: keyof EventFilter; sql: (p: string) => string }> = [
  { field: 'objectId', sql: (p) => `${OBJECT_ID} = ${p}::text` },
  { field: 'type', sql: (p) => `type = ${p}::text` },
  { field: 'correlationId', sql: (p) => `metadata->>'correlationId' = ${p}::text` },
  { field: 'actor', sql: (p) => `metadata->>'actor' = ${p}::text` },
  { field: 'from', sql: (p) => `recorded_at >= ${p}::timestamptz` },
  { field: 'to', sql: (p) => `recorded_at <= ${p}::timestamptz` },
];

/**
 * A statement sent as a named (prepared) query: parsed and planned once per connection rather than
 * on every call, which on the append path costs more than executing it. The name carries a digest
 * of the text, so the same name never stands for two texts (one per schema).
 */
function prepared(text: string) {
  const name = `es_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
  return { text, with: (values: unknown[]) => ({ name, text, values }) };
}

function statements(s: string) {
  const sql = rawStatements(s);
  return Object.fromEntries(Object.entries(sql).map(([k, text]) => [k, prepared(text)])) as {
    [K in keyof typeof sql]: ReturnType<typeof prepared>;
  };
}

/**
 * Rows at or above the oldest running transaction that may append to this log can still be joined
 * by rows of that transaction with a lower position: readers stop there (the "horizon").
 *
 * Not simply the oldest running transaction of the cluster (`pg_snapshot_xmin`): a long transaction
 * of another database, or of a role that cannot insert into this log (the other manager's, on the
 * same server), would hold back every reader of this log, the relay and `GET /events` included, for
 * as long as it runs. Of the transactions the statement's snapshot sees running, those whose backend
 * shows them in another database or under a role that can neither insert here nor act as the log's
 * owner are left out; any other, including one that ended since (its backend no longer shows it),
 * holds the horizon. With none, every transaction below the snapshot's xmax is complete.
 */
function belowHorizon(s: string): string {
  const table = `'${s}.events'`;
  return `transaction_id < (
      WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
      foreign_xids AS (
        SELECT a.backend_xid::text AS xid FROM pg_stat_get_activity(NULL) a
        WHERE a.backend_xid IS NOT NULL
          AND (a.datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database())
            OR (NOT has_table_privilege(a.usesysid, ${table}, 'INSERT')
              AND NOT pg_has_role(a.usesysid, (SELECT relowner FROM pg_class WHERE oid = ${table}::regclass), 'MEMBER'))))
      SELECT coalesce(
        (SELECT min(x) FROM snap, pg_snapshot_xip(snap.s) AS x
         WHERE (x::text::numeric % 4294967296)::text NOT IN (SELECT xid FROM foreign_xids)),
        (SELECT pg_snapshot_xmax(s) FROM snap)))`;
}

/** A page of the log in global order, below the horizon, with `conditions` on top. */
function readAllText(s: string, conditions: string[] = []): string {
  return `SELECT ${COLUMNS} FROM ${s}.events
      WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND ${[belowHorizon(s), ...conditions].join(' AND ')}
      ORDER BY transaction_id, position LIMIT $3`;
}

/**
 * The stream's latest snapshot of a schema version as a row of its own (no position; the state in
 * `data`), then the stream's events after it, in version order. `stream` and `schemaVersion` are
 * placeholders or literals.
 */
function readFromSnapshotText(s: string, stream: string, schemaVersion: string): string {
  return `WITH snap AS MATERIALIZED (
      SELECT version, state FROM ${s}.snapshots WHERE stream_id = ${stream} AND schema_version = ${schemaVersion}
      ORDER BY version DESC LIMIT 1)
    SELECT * FROM (
      SELECT NULL::bigint AS position, NULL::xid8 AS transaction_id, NULL::uuid AS id, NULL::text AS stream_id, version,
             NULL::text AS type, state AS data, NULL::jsonb AS metadata, NULL::timestamptz AS recorded_at FROM snap
      UNION ALL
      SELECT ${COLUMNS} FROM ${s}.events
      WHERE stream_id = ${stream} AND version > coalesce((SELECT version FROM snap), 0)) AS x
    ORDER BY version`;
}

/**
 * `readFromSnapshotText` for the streams of `streams` (an array expression of text): the rows of
 * each stream together, snapshot row first, then its events after it in version order.
 */
function readManyFromSnapshotText(s: string, streams: string, schemaVersion: string): string {
  return `WITH ids AS MATERIALIZED (SELECT DISTINCT unnest(${streams}) AS stream_id),
    snap AS MATERIALIZED (
      SELECT ids.stream_id, sn.version, sn.state FROM ids
      CROSS JOIN LATERAL (
        SELECT version, state FROM ${s}.snapshots
        WHERE stream_id = ids.stream_id AND schema_version = ${schemaVersion} ORDER BY version DESC LIMIT 1) sn)
    SELECT * FROM (
      SELECT NULL::bigint AS position, NULL::xid8 AS transaction_id, NULL::uuid AS id, stream_id, version,
             NULL::text AS type, state AS data, NULL::jsonb AS metadata, NULL::timestamptz AS recorded_at FROM snap
      UNION ALL
      SELECT e.position, e.transaction_id, e.id, e.stream_id, e.version, e.type, e.data, e.metadata, e.recorded_at
      FROM ids LEFT JOIN snap ON snap.stream_id = ids.stream_id
      JOIN ${s}.events e ON e.stream_id = ids.stream_id AND e.version > coalesce(snap.version, 0)) AS x
    ORDER BY stream_id, version, position NULLS FIRST`;
}

function rawStatements(s: string) {
  // The events INSERT ... SELECT joins the stream row's move: when the expected version does not
  // match, no stream row comes back and no event is inserted. A concurrent writer of the same stream
  // waits on the stream row (or its creation) and then sees it moved, so one of two racing appends wins.
  const insertEvents = (versionExpr: string) => `
    INSERT INTO ${s}.events (id, stream_id, version, type, data, metadata)
    SELECT e.id, $1, ${versionExpr}, e.type, e.data, e.metadata
    FROM s, unnest($IDS::uuid[], $TYPES::text[], $DATA::jsonb[], $META::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
    ORDER BY e.ord
    RETURNING position, version, transaction_id, recorded_at`;
  const params = (sql: string, first: number) =>
    sql
      .replace('$IDS', `$${first}`)
      .replace('$TYPES', `$${first + 1}`)
      .replace('$DATA', `$${first + 2}`)
      .replace('$META', `$${first + 3}`);
  return {
    appendExpected: params(
      `WITH moved AS (
         UPDATE ${s}.streams SET version = $3::bigint
         WHERE stream_id = $1 AND version = $2::bigint AND $2::bigint > 0
         RETURNING version
       ), created AS (
         INSERT INTO ${s}.streams (stream_id, version) SELECT $1, $3::bigint WHERE $2::bigint = 0
         ON CONFLICT (stream_id) DO NOTHING
         RETURNING version
       ), s AS (SELECT version FROM moved UNION ALL SELECT version FROM created)` + insertEvents('$2::bigint + e.ord'),
      4,
    ),
    appendAny: params(
      `WITH s AS (
         INSERT INTO ${s}.streams AS st (stream_id, version) VALUES ($1, $2::bigint)
         ON CONFLICT (stream_id) DO UPDATE SET version = st.version + $2::bigint
         RETURNING version
       )` + insertEvents('s.version - $2::bigint + e.ord'),
      3,
    ),
    // appendExpected for several streams: every stream row moved (or created at version 0) in one
    // statement, each stream's events joined to its move, so a stream that did not move inserts none.
    appendMany: `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS i(stream_id, expected, next)
       ), moved AS (
         UPDATE ${s}.streams st SET version = i.next FROM input i
         WHERE st.stream_id = i.stream_id AND st.version = i.expected AND i.expected > 0
         RETURNING st.stream_id, i.expected
       ), created AS (
         INSERT INTO ${s}.streams (stream_id, version) SELECT stream_id, next FROM input WHERE expected = 0
         ON CONFLICT (stream_id) DO NOTHING
         RETURNING stream_id, 0::bigint AS expected
       ), s AS (SELECT stream_id, expected FROM moved UNION ALL SELECT stream_id, expected FROM created)
       INSERT INTO ${s}.events (id, stream_id, version, type, data, metadata)
       SELECT e.id, e.stream_id, s.expected + e.nth, e.type, e.data, e.metadata
       FROM unnest($4::uuid[], $5::text[], $6::bigint[], $7::text[], $8::jsonb[], $9::jsonb[])
         WITH ORDINALITY AS e(id, stream_id, nth, type, data, metadata, ord)
       JOIN s ON s.stream_id = e.stream_id
       ORDER BY e.ord
       RETURNING position, stream_id, version, transaction_id, recorded_at`,
    readStream: `SELECT ${COLUMNS} FROM ${s}.events WHERE stream_id = $1 AND version > $2 ORDER BY version`,
    readFromSnapshot: readFromSnapshotText(s, '$1', '$2'),
    readStreamToCursor: `SELECT ${COLUMNS} FROM ${s}.events
      WHERE stream_id = $1 AND version > $2 AND (transaction_id, position) <= ($3::xid8, $4::bigint) ORDER BY version`,
    readStreamToTime: `SELECT ${COLUMNS} FROM ${s}.events WHERE stream_id = $1 AND version > $2 AND recorded_at <= $3 ORDER BY version`,
    readStreamRange: `SELECT ${COLUMNS} FROM ${s}.events WHERE stream_id = $1 AND version > $2 AND version <= $3 ORDER BY version`,
    // The position's cursor (as cursorAt), then the stream's last event at or before it, in one round
    // trip: one probe of events_object_order. The cursor's two halves are scalar subqueries, each run
    // once, so that the row comparison is a condition of the index scan; joined to the cursor instead,
    // it is a filter over every event of the object after it, with the cursor's lookup run again for
    // each of them in a generic plan (11 ms a read on a switch of 10,000 events in a log of 1,000,000).
    versionAtPosition: `SELECT e.version FROM ${s}.events e
      WHERE ${OBJECT_ID.replaceAll('stream_id', 'e.stream_id')} = $1 AND e.stream_id = $2
        AND (e.transaction_id, e.position) <= (
          (SELECT transaction_id FROM ${s}.events WHERE position <= $3 ORDER BY position DESC LIMIT 1),
          (SELECT position FROM ${s}.events WHERE position <= $3 ORDER BY position DESC LIMIT 1))
      ORDER BY e.transaction_id DESC, e.position DESC LIMIT 1`,
    versionAtTime: `SELECT max(version) AS version FROM ${s}.events WHERE stream_id = $1 AND recorded_at <= $2`,
    reachedCursor: `SELECT 1 FROM ${s}.events WHERE stream_id = $1 AND version = $2 AND (transaction_id, position) <= ($3::xid8, $4::bigint)`,
    reachedTime: `SELECT 1 FROM ${s}.events WHERE stream_id = $1 AND version = $2 AND recorded_at <= $3`,
    readAll: readAllText(s),
    // Only for a reader that holds the log still (rebuild locks out writers): no horizon needed.
    readWholeLog: `SELECT ${COLUMNS} FROM ${s}.events
      WHERE (transaction_id, position) > ($1::xid8, $2::bigint) ORDER BY transaction_id, position LIMIT $3`,
    // A position we never gave out (a gap left by a rolled-back append) stands for the event before it.
    cursorAt: `SELECT transaction_id, position FROM ${s}.events
      WHERE position <= $1 ORDER BY position DESC LIMIT 1`,
    cursorAtTime: `SELECT transaction_id, position FROM ${s}.events
      WHERE recorded_at <= $1 AND ${belowHorizon(s)} ORDER BY transaction_id DESC, position DESC LIMIT 1`,
    streamVersion: `SELECT version FROM ${s}.streams WHERE stream_id = $1`,
  };
}
