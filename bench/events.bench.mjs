// Event store: append throughput (1 and 16 writers) and ordered reads: PgEventStore vs Emmett vs raw SQL.
//
// Sizes: FULL below (`eventsPerAppend`, `appendsPerStream`, `poolSize`, `readEvents`, `readPage`, ...).
//
// One run, one throw-away PostgreSQL (fsync on, autovacuum off: VACUUM ANALYZE is run between
// rounds instead, so that no background work lands inside one variant's timing by chance).
//
// Appends — the same workload shape for every variant: each writer appends to streams of its own,
// `appendsPerStream` appends per stream (the first one creates the stream), each append carrying
// `eventsPerAppend` events of ~300-byte JSON data plus metadata, always with the right expected
// version. Variants:
//   ours    PgEventStore.append (one statement: stream row checked and moved, events inserted)
//   emmett  @event-driven-io/emmett-postgresql appendToStream (its schema migrated before timing)
//   raw     one INSERT ... SELECT * FROM unnest(...) per append into a table defined exactly like
//           ours (same columns, defaults, indexes), returning the same columns; no stream row, no
//           version check: the floor for "these rows, one round trip per append"
// Each variant writes its own tables and gets its own pg.Pool of `poolSize`. Every round runs each
// (variant, writers) phase once, on fresh streams, right after a CHECKPOINT, in an order rotated per
// round so that no variant always goes first or last; the figure reported is the median of the rounds.
//
// Commands — the path the services write through: EventLog.execute (one TypeORM transaction:
// the stream's writer lock, load from the latest snapshot, decide, append, project; no projection
// here) on a DataSource opened as EventLogModule opens it. Each command decides `eventsPerAppend`
// events of a small network aggregate (a create first, then subnets). Two layouts: `many` (each
// writer its own streams, `appendsPerStream` commands each) and `one` (every writer on one stream,
// a fresh one per phase). Variants:
//   service  EventLog.execute
//   emmett   DeciderCommandHandler(...)(store, id, command): aggregateStream, decide, appendToStream,
//            its equivalent; retried on a version conflict (writers of one stream race) until done
//   raw      one INSERT ... unnest per command into a table like ours, versions counted in memory:
//            the floor, as for appends
// Same method as appends (rounds, rotation, CHECKPOINT before each phase, medians).
// `--commands-only` runs this section alone.
//
// Reads — the whole log of our store's events table (topped up to `readEvents` events, written in
// small transactions like real appends) in global order, pages of `readPage`:
//   ours    PgEventStore.readAll(cursor, `readPage`)
//   raw     SELECT <same columns> ... WHERE (transaction_id, position) > cursor
//           ORDER BY transaction_id, position LIMIT `readPage`, rows as pg returns them (jsonb parsed)
// One warm-up pass each, then alternating order; median reported.
//
// Emmett's driver (dumbo) swaps pg's global parsers for int8 (BigInt) and jsonb (its own JSON
// reader) when its store is created. Ours and raw pools pin pg's stock parsers for those types, so
// they run as they do in the services, while Emmett runs with its own defaults.
//
// `npm run bench -- events [--quick] [--commands-only]`: --quick runs tiny sizes, one round (a smoke check only).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventLog, PgEventStore, eventStoreDdl } from '@vnet/events';
import { startThrowawayPostgres } from './lib/postgres.mjs';
import { fmtInt, fmtMs, fmtPct, median, now, quantile, spread, table } from './lib/stats.mjs';

const FULL = {
  rounds: 5,
  writers: [1, 16],
  appends: { 1: 800, 16: 2400 }, // appends per timed phase, all writers together
  warmup: { 1: 200, 16: 640 },
  eventsPerAppend: 2,
  appendsPerStream: 8,
  poolSize: 20,
  readEvents: 120_000,
  readPage: 1000,
  readRounds: 3,
  // Commands (load, decide, append): per timed phase, all writers together, per stream layout.
  layouts: ['many', 'one'],
  commands: { many: { 1: 400, 16: 1200 }, one: { 1: 200, 16: 96 } },
  commandWarmup: { many: { 1: 100, 16: 320 }, one: { 1: 50, 16: 48 } },
};
const QUICK = {
  ...FULL,
  rounds: 1,
  appends: { 1: 200, 16: 480 },
  warmup: { 1: 50, 16: 160 },
  readEvents: 5_000,
  readRounds: 1,
  commands: { many: { 1: 100, 16: 320 }, one: { 1: 80, 16: 48 } },
  commandWarmup: { many: { 1: 30, 16: 64 }, one: { 1: 20, 16: 16 } },
};

const TARGETS = { appendsVsEmmett: 2, appendsVsRaw: 0.7, readsVsRaw: 0.5, commandsVsEmmett: 2, commandsVsRaw: 0.5 };

// pg's stock parsers for int8, json and jsonb, taken before Emmett's driver replaces the global ones.
const STOCK = new Map([20, 114, 3802].map((oid) => [oid, pg.types.getTypeParser(oid, 'text')]));
const stockTypes = {
  getTypeParser: (oid, format = 'text') => (format === 'text' && STOCK.get(oid)) || pg.types.getTypeParser(oid, format),
};

const log = (...a) => console.error('[bench:events]', ...a);

// ---------------------------------------------------------------------------------------------
// Workload

const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell'];

/** ~300 bytes of JSON: a network-manager-like event body. */
function eventData(i) {
  const a = (i >> 8) & 255;
  const b = i & 255;
  return {
    networkId: randomUUID(),
    tenant: TENANTS[i % TENANTS.length],
    name: `net-${TENANTS[i % TENANTS.length]}-${i}`,
    cidr: `10.${a}.${b}.0/24`,
    gateway: `10.${a}.${b}.1`,
    vlan: 100 + (i % 3900),
    mtu: 9000,
    dhcp: { enabled: true, from: `10.${a}.${b}.10`, to: `10.${a}.${b}.250`, leaseSeconds: 86400 },
    dns: ['10.0.0.53', '10.0.1.53'],
    labels: { env: i % 3 ? 'prod' : 'staging', zone: `zone-${i % 4}` },
  };
}

function newEvent(i) {
  return {
    id: randomUUID(),
    type: i % 2 ? 'SubnetAdded' : 'NetworkCreated',
    data: eventData(i),
    metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor: 'user:bench@example.org' },
  };
}

/** Per writer, its appends in order: `{ streamId, expectedVersion, events }`, streams its own. */
function workload(cfg, writers, appends) {
  const perWriter = [];
  let seq = 0;
  for (let w = 0; w < writers; w++) {
    const n = Math.floor(appends / writers) + (w < appends % writers ? 1 : 0);
    const list = [];
    let streamId;
    let version = 0;
    for (let i = 0; i < n; i++) {
      if (i % cfg.appendsPerStream === 0) {
        streamId = `network-${randomUUID()}`;
        version = 0;
      }
      const events = Array.from({ length: cfg.eventsPerAppend }, () => newEvent(seq++));
      list.push({ streamId, expectedVersion: version, events });
      version += cfg.eventsPerAppend;
    }
    perWriter.push(list);
  }
  return perWriter;
}

// ---------------------------------------------------------------------------------------------
// Variants

function oursVariant(pool) {
  const store = new PgEventStore(pool, 'es');
  return {
    name: 'ours',
    store,
    prepare: (a) => a,
    append: (a) => store.append(a.streamId, a.events, { expectedVersion: a.expectedVersion }),
  };
}

function emmettVariant(es) {
  return {
    name: 'emmett',
    prepare: (a) => ({
      streamId: a.streamId,
      expected: BigInt(a.expectedVersion),
      events: a.events.map((e) => ({ type: e.type, data: e.data, metadata: e.metadata })),
    }),
    append: (x) => es.appendToStream(x.streamId, x.events, { expectedStreamVersion: x.expected }),
  };
}

const RAW_INSERT = `
  INSERT INTO raw.events (id, stream_id, version, type, data, metadata)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[], $6::jsonb[])
  RETURNING position, version, transaction_id::text AS transaction_id, recorded_at`;

function rawVariant(pool) {
  return {
    name: 'raw',
    prepare: (a) => a,
    append: (a) =>
      pool.query(RAW_INSERT, [
        a.events.map((e) => e.id),
        a.events.map(() => a.streamId),
        a.events.map((_, i) => a.expectedVersion + i + 1),
        a.events.map((e) => e.type),
        a.events.map((e) => JSON.stringify(e.data)),
        a.events.map((e) => JSON.stringify(e.metadata)),
      ]),
  };
}

/**
 * Times `perWriter` lists run at once, each list's items one after the other through `run`:
 * `{ total, seconds, p50, p99 }` (latencies per item, ms).
 */
async function timedWriters(perWriter, run) {
  const total = perWriter.reduce((n, l) => n + l.length, 0);
  const latencies = new Float64Array(total);
  let k = 0;
  const t0 = now();
  await Promise.all(
    perWriter.map(async (list) => {
      for (const item of list) {
        const s = now();
        await run(item);
        latencies[k++] = now() - s;
      }
    }),
  );
  const seconds = (now() - t0) / 1000;
  return { total, seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

/** Runs one timed phase: every writer its own appends in order, all writers at once. */
async function runAppends(variant, perWriter) {
  const prepared = perWriter.map((list) => list.map(variant.prepare));
  const events = perWriter.reduce((n, l) => n + l.reduce((m, a) => m + a.events.length, 0), 0);
  const { total, seconds, p50, p99 } = await timedWriters(prepared, (a) => variant.append(a));
  return { appends: total, events, seconds, eventsPerSec: events / seconds, appendsPerSec: total / seconds, p50, p99 };
}

// ---------------------------------------------------------------------------------------------
// Commands: the services' write path, load + decide + append in one go

/** A network-like aggregate: what the services' deciders fold, small. */
const initialNetwork = () => ({ exists: false, name: null, subnets: 0, lastCidr: null });
function evolveNetwork(state, event) {
  switch (event.type) {
    case 'NetworkCreated':
      return { ...state, exists: true, name: event.data.name };
    case 'SubnetAdded':
      return { ...state, subnets: state.subnets + 1, lastCidr: event.data.cidr };
    default:
      return state;
  }
}
/** `eventsPerAppend` events per command: a create first on a new stream, then subnets. */
function decideNetwork(cmd, state, eventsPerAppend) {
  return Array.from({ length: eventsPerAppend }, (_, k) => ({
    type: !state.exists && k === 0 ? 'NetworkCreated' : 'SubnetAdded',
    data: eventData(cmd.seq + k),
  }));
}
const NetworkAggregate = {
  category: 'network',
  snapshotSchema: 'bench-network-1',
  initialState: initialNetwork,
  evolve: evolveNetwork,
};
const commandMetadata = () => ({ correlationId: randomUUID(), causationId: randomUUID(), actor: 'user:bench@example.org' });

/**
 * Per writer, its commands in order: `{ id, seq }`. `many`: each writer its own streams,
 * `appendsPerStream` commands each; `one`: every writer on one stream (fresh per phase).
 */
function commandLoad(cfg, layout, writers, commands) {
  const perWriter = [];
  const shared = randomUUID();
  let seq = 0;
  for (let w = 0; w < writers; w++) {
    const n = Math.floor(commands / writers) + (w < commands % writers ? 1 : 0);
    const list = [];
    let id;
    for (let i = 0; i < n; i++) {
      if (layout === 'one') id = shared;
      else if (i % cfg.appendsPerStream === 0) id = randomUUID();
      list.push({ id, seq });
      seq += cfg.eventsPerAppend;
    }
    perWriter.push(list);
  }
  return perWriter;
}

function serviceVariant(log, cfg) {
  return {
    name: 'service',
    run: (cmd) =>
      log.execute(
        NetworkAggregate,
        cmd.id,
        commandMetadata(),
        (state) => decideNetwork(cmd, state, cfg.eventsPerAppend),
        (_state, version) => version,
      ),
  };
}

function emmettHandleVariant(es, cfg, emmettLib) {
  const handle = emmettLib.DeciderCommandHandler({
    decide: (cmd, state) => decideNetwork(cmd, state, cfg.eventsPerAppend).map((e) => ({ ...e, metadata: cmd.metadata })),
    evolve: evolveNetwork,
    initialState: initialNetwork,
    mapToStreamId: (id) => `network-${id}`,
    // Writers of one stream race: the loser reads again and decides again, as often as it takes.
    retry: {
      onVersionConflict: {
        retries: 1000,
        minTimeout: 1,
        maxTimeout: 20,
        factor: 1.5,
        randomize: true,
        shouldRetryError: emmettLib.isExpectedVersionConflictError,
      },
    },
  });
  return {
    name: 'emmett',
    run: (cmd) => handle(es, cmd.id, { type: 'AddSubnets', data: {}, seq: cmd.seq, metadata: commandMetadata() }),
  };
}

/** The floor: the command's rows, one INSERT ... unnest per command; versions counted in memory. */
function rawCommandVariant(pool, cfg) {
  const versions = new Map();
  return {
    name: 'raw',
    run: (cmd) => {
      const streamId = `network-${cmd.id}`;
      const from = versions.get(streamId) ?? 0;
      versions.set(streamId, from + cfg.eventsPerAppend);
      const events = decideNetwork(cmd, { exists: from > 0 }, cfg.eventsPerAppend);
      const metadata = JSON.stringify(commandMetadata());
      return pool.query(RAW_COMMAND_INSERT, [
        events.map(() => randomUUID()),
        events.map(() => streamId),
        events.map((_, i) => from + i + 1),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        events.map(() => metadata),
      ]);
    },
  };
}

const RAW_COMMAND_INSERT = RAW_INSERT.replace('raw.events', 'rawc.events');

/** Runs one timed phase of commands: every writer its own commands in order, all writers at once. */
async function runCommands(variant, perWriter, eventsPerCommand) {
  const { total, seconds, p50, p99 } = await timedWriters(perWriter, (cmd) => variant.run(cmd));
  const events = total * eventsPerCommand;
  return { commands: total, events, seconds, commandsPerSec: total / seconds, eventsPerSec: events / seconds, p50, p99 };
}

// ---------------------------------------------------------------------------------------------
// Reads

/**
 * Reads the whole log through `readPage(cursor) → { rows, cursor }`, pages of `page`, until a short
 * page. With `check`, also follows the global order, (transaction id, position) ascending with the
 * transaction id compared as a number, and counts what breaks it (untimed passes only).
 */
async function readLog(readPage, page, check = false) {
  let cursor = null;
  let n = 0;
  let outOfOrder = 0;
  let prevTx = -1n;
  let prevPos = -1n;
  for (;;) {
    const r = await readPage(cursor);
    n += r.rows.length;
    if (check) {
      for (const row of r.rows) {
        const tx = BigInt(row.tx);
        const pos = BigInt(row.pos);
        if (tx < prevTx || (tx === prevTx && pos <= prevPos)) outOfOrder++;
        prevTx = tx;
        prevPos = pos;
      }
    }
    cursor = r.cursor;
    if (r.rows.length < page) return { events: n, outOfOrder };
  }
}

function oursReader(store, page, check) {
  return async (cursor) => {
    const r = await store.readAll(cursor ?? { transactionId: '0', position: 0 }, page);
    return { rows: check ? r.events.map((e) => ({ tx: e.transactionId, pos: e.position })) : r.events, cursor: r.cursor };
  };
}

const RAW_READ = `
  SELECT position, transaction_id, id, stream_id, version, type, data, metadata, recorded_at
  FROM es.events WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
  ORDER BY transaction_id, position LIMIT $3`;

function rawReader(pool, page, check) {
  return async (cursor) => {
    const { rows } = await pool.query(RAW_READ, [cursor?.tx ?? '0', cursor?.pos ?? '0', page]);
    const last = rows.at(-1);
    return {
      rows: check ? rows.map((x) => ({ tx: x.transaction_id, pos: x.position })) : rows,
      cursor: last ? { tx: last.transaction_id, pos: last.position } : cursor,
    };
  };
}

async function timedRead(fn) {
  const t0 = now();
  const { events } = await fn();
  const seconds = (now() - t0) / 1000;
  return { events, seconds, eventsPerSec: events / seconds };
}

/**
 * Tops our events table up to `target` events, written by the server itself in one small
 * transaction per append (`eventsPerAppend` events, `appendsPerStream` appends per stream), so the
 * log has as many transaction ids as a log written by real appends. Not timed.
 */
async function fillLog(url, cfg, target) {
  const client = new pg.Client({ connectionString: url, types: stockTypes });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM es.events');
    const missing = target - rows[0].n;
    if (missing <= 0) return 0;
    const appends = Math.ceil(missing / cfg.eventsPerAppend);
    const data = eventData(4242); // networkId is replaced per event below
    const meta = { correlationId: randomUUID(), causationId: randomUUID(), actor: 'user:bench@example.org' };
    await client.query('SET synchronous_commit = off');
    const epa = cfg.eventsPerAppend;
    const aps = cfg.appendsPerStream;
    await client.query(`DO $fill$
      DECLARE
        d jsonb := $tpl$${JSON.stringify(data)}$tpl$;
        m jsonb := $tpl$${JSON.stringify(meta)}$tpl$;
        s text;
      BEGIN
        FOR i IN 0..${appends - 1} LOOP
          s := 'network-fill-' || (i / ${aps});
          INSERT INTO es.streams (stream_id, version) VALUES (s, (i % ${aps} + 1) * ${epa})
            ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version;
          INSERT INTO es.events (id, stream_id, version, type, data, metadata)
            SELECT gen_random_uuid(), s, (i % ${aps}) * ${epa} + k, 'SubnetAdded',
                   jsonb_set(d, '{networkId}', to_jsonb(gen_random_uuid()::text)), m
            FROM generate_series(1, ${epa}) AS k;
          COMMIT;
        END LOOP;
      END
      $fill$`);
    return appends * epa;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------

const round4 = (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v);

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

async function newPool(url, size, types) {
  const pool = new pg.Pool({ connectionString: url, max: size, ...(types ? { types } : {}) });
  pool.on('error', () => {}); // an idle client losing its server at shutdown is no news
  // Open every connection now, so no timed phase pays for connecting.
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  for (const c of clients) c.release();
  return pool;
}

/**
 * The services' write path against Emmett's command handler and the raw floor: every (layout,
 * writers) phase of every variant once per round, fresh streams, right after a CHECKPOINT, in an
 * order rotated per round; medians of the rounds. Returns the rows, results and ratios to print.
 */
async function commandSection({ cfg, server, admin, emmett }) {
  for (const sql of eventStoreDdl('svc')) await admin.query(sql);
  for (const sql of eventStoreDdl('rawc')) await admin.query(sql);
  // As the services open theirs (EventLogModule): TypeORM over pg, search_path on the log's schema.
  const dataSource = new DataSource({
    type: 'postgres',
    url: server.url,
    schema: 'svc',
    synchronize: false,
    logging: false,
    extra: { max: cfg.poolSize, application_name: 'svc', options: '-c search_path=svc', types: stockTypes },
  });
  await dataSource.initialize();
  const svcPool = dataSource.driver.master;
  const warm = await Promise.all(Array.from({ length: cfg.poolSize }, () => svcPool.connect()));
  for (const c of warm) c.release();
  const rawPool = await newPool(server.url, cfg.poolSize, stockTypes);
  try {
    const probe = (await svcPool.query('SELECT 1::int8 AS i')).rows[0];
    if (typeof probe.i !== 'string') throw new Error("the service's pool does not use pg's stock parsers");
    const eventLog = new EventLog(dataSource, svcPool, { schema: 'svc', projections: [], newId: randomUUID });
    const emmettLib = await import('@event-driven-io/emmett');
    const variants = [
      serviceVariant(eventLog, cfg),
      emmettHandleVariant(emmett, cfg, emmettLib),
      rawCommandVariant(rawPool, cfg),
    ];
    const emmettBefore = (await admin.query('SELECT count(*)::int AS n FROM emt_messages')).rows[0].n;
    const phases = cfg.layouts.flatMap((layout) => cfg.writers.map((writers) => ({ layout, writers })));

    for (const v of variants)
      for (const p of phases)
        await runCommands(v, commandLoad(cfg, p.layout, p.writers, cfg.commandWarmup[p.layout][p.writers]), cfg.eventsPerAppend);
    log(`commands: warmed up`);

    const runs = new Map();
    for (let r = 0; r < cfg.rounds; r++) {
      await admin.query('VACUUM ANALYZE');
      for (const p of phases) {
        for (const v of rotate(variants, r)) {
          const load = commandLoad(cfg, p.layout, p.writers, cfg.commands[p.layout][p.writers]);
          await admin.query('CHECKPOINT');
          const res = await runCommands(v, load, cfg.eventsPerAppend);
          const key = `${v.name}/${p.layout}/${p.writers}`;
          runs.set(key, [...(runs.get(key) ?? []), res]);
          log(
            `round ${r + 1}/${cfg.rounds} ${v.name.padEnd(7)} ${p.layout.padEnd(4)} ${String(p.writers).padStart(2)} writer(s): ${fmtInt(res.commandsPerSec)} commands/s, p50 ${fmtMs(res.p50)} ms, p99 ${fmtMs(res.p99)} ms`,
          );
        }
      }
    }

    const counts = {
      service: (await admin.query('SELECT count(*)::int AS n FROM svc.events')).rows[0].n,
      emmett: (await admin.query('SELECT count(*)::int AS n FROM emt_messages')).rows[0].n - emmettBefore,
      raw: (await admin.query('SELECT count(*)::int AS n FROM rawc.events')).rows[0].n,
    };
    if (new Set(Object.values(counts)).size !== 1) throw new Error(`command row counts differ: ${JSON.stringify(counts)}`);

    const rows = [];
    const results = [];
    for (const p of phases) {
      for (const v of variants) {
        const rs = runs.get(`${v.name}/${p.layout}/${p.writers}`);
        const mid = rs.find((x) => x.commandsPerSec === median(rs.map((y) => y.commandsPerSec)));
        const sp = spread(rs.map((x) => x.commandsPerSec));
        results.push({ variant: v.name, ...p, ...mid, spread: sp, rounds: rs.map((x) => Math.round(x.commandsPerSec)) });
        rows.push([
          v.name,
          p.layout === 'one' ? 'one' : 'many',
          p.writers,
          fmtInt(mid.commandsPerSec),
          fmtInt(mid.eventsPerSec),
          fmtMs(mid.p50),
          fmtMs(mid.p99),
          fmtPct(sp),
        ]);
      }
    }
    const find = (v, p) => results.find((x) => x.variant === v && x.layout === p.layout && x.writers === p.writers);
    const cps = (v, p) => find(v, p).commandsPerSec;
    // Context for a noisy machine: the two variants' ratio within each round (they ran minutes apart
    // at most), median over the rounds.
    const paired = (a, b, p) => median(find(a, p).rounds.map((x, r) => x / find(b, p).rounds[r]));
    const ratios = [];
    const name = (p) => `${p.writers} writer${p.writers > 1 ? 's' : ''}, ${p.layout === 'one' ? 'one stream' : 'many streams'}`;
    for (const p of phases)
      ratios.push({
        what: `commands service/emmett, ${name(p)}`,
        ratio: cps('service', p) / cps('emmett', p),
        perRound: paired('service', 'emmett', p),
        target: TARGETS.commandsVsEmmett,
      });
    for (const p of phases)
      ratios.push({
        what: `commands service/raw, ${name(p)}`,
        ratio: cps('service', p) / cps('raw', p),
        perRound: paired('service', 'raw', p),
        target: TARGETS.commandsVsRaw,
      });
    for (const x of ratios) x.verdict = x.ratio >= x.target ? 'PASS' : 'MISS';
    return { rows, results, ratios, rowsPerVariant: counts.service };
  } finally {
    await rawPool.end().catch(() => {});
    await dataSource.destroy().catch(() => {});
  }
}

export default async function run(args) {
  const cfg = args.includes('--quick') ? QUICK : FULL;
  const started = now();
  const server = await startThrowawayPostgres({ settings: { autovacuum: 'off' } });
  const pools = [];
  let emmett = null;
  try {
    const admin = await newPool(server.url, 2, stockTypes);
    pools.push(admin);
    const { rows: ver } = await admin.query('SHOW server_version');
    log(`PostgreSQL ${ver[0].server_version} on 127.0.0.1:${server.port}, node ${process.version}, ${os.cpus().length} cores`);

    // Schemas, outside any timing.
    for (const sql of [...eventStoreDdl('es'), ...eventStoreDdl('raw')]) await admin.query(sql);
    const oursPool = await newPool(server.url, cfg.poolSize, stockTypes);
    const rawPool = await newPool(server.url, cfg.poolSize, stockTypes);
    const emmettPool = await newPool(server.url, cfg.poolSize);
    pools.push(oursPool, rawPool, emmettPool);
    const { getPostgreSQLEventStore } = await import('@event-driven-io/emmett-postgresql');
    emmett = getPostgreSQLEventStore(server.url, { connectionOptions: { pool: emmettPool } });
    await emmett.schema.migrate();

    // Emmett's driver has now replaced pg's global parsers: make sure ours and raw kept pg's own.
    const probe = 'SELECT 1::int8 AS i, \'{"a":1}\'::jsonb AS j';
    const [o, e] = [(await oursPool.query(probe)).rows[0], (await emmettPool.query(probe)).rows[0]];
    if (typeof o.i !== 'string' || o.j.a !== 1) throw new Error("ours/raw pools do not use pg's stock parsers");
    log(`pg parsers: ours/raw int8 → ${typeof o.i}, emmett int8 → ${typeof e.i}`);

    // Commands first: the services' write path, beside Emmett's command handler and the raw floor.
    const commands = await commandSection({ cfg, server, admin, emmett });
    const commandOut = [
      '',
      `Commands (load, decide, append; the services' EventLog.execute): ${cfg.eventsPerAppend} events per command, ` +
        `many streams: ${cfg.appendsPerStream} commands per stream, ${cfg.commands.many[1]} (1 writer) / ${cfg.commands.many[16]} (16 writers) per phase; ` +
        `one stream: every writer on one stream, ${cfg.commands.one[1]} / ${cfg.commands.one[16]} per phase; median of ${cfg.rounds} round${cfg.rounds > 1 ? 's' : ''}; pool of ${cfg.poolSize} per variant`,
      '',
      table(['variant', 'streams', 'writers', 'commands/s', 'events/s', 'p50 ms', 'p99 ms', 'spread'], commands.rows),
      '',
      table(
        ['ratio (of the medians)', 'value', 'target', '', 'per round, median'],
        commands.ratios.map((x) => [x.what, `${x.ratio.toFixed(2)}x`, `>= ${x.target}x`, x.verdict, `${x.perRound.toFixed(2)}x`]),
        ['l', 'r', 'r', 'l', 'r'],
      ),
    ];
    if (args.includes('--commands-only')) {
      const seconds = (now() - started) / 1000;
      console.log(
        [...commandOut, '', `(spread: (max - min) / median over the rounds; whole run ${seconds.toFixed(1)} s)`].join('\n'),
      );
      console.log('\nJSON:');
      console.log(
        JSON.stringify(
          { benchmark: 'events', section: 'commands', at: new Date().toISOString(), config: cfg, commands, seconds },
          round4,
        ),
      );
      return 0;
    }

    const variants = [oursVariant(oursPool), emmettVariant(emmett), rawVariant(rawPool)];
    const ours = variants[0];

    // Warm-up: every variant, every writer count, untimed.
    for (const v of variants) for (const w of cfg.writers) await runAppends(v, workload(cfg, w, cfg.warmup[w]));
    log(`warmed up (${((now() - started) / 1000).toFixed(1)} s since start)`);

    const runs = new Map(); // `${variant}/${writers}` → results of each round
    for (let r = 0; r < cfg.rounds; r++) {
      await admin.query('VACUUM ANALYZE');
      for (const w of cfg.writers) {
        for (const v of rotate(variants, r)) {
          const load = workload(cfg, w, cfg.appends[w]);
          await admin.query('CHECKPOINT');
          const res = await runAppends(v, load);
          const key = `${v.name}/${w}`;
          runs.set(key, [...(runs.get(key) ?? []), res]);
          log(
            `round ${r + 1}/${cfg.rounds} ${v.name.padEnd(6)} ${String(w).padStart(2)} writer(s): ${fmtInt(res.eventsPerSec)} events/s, p50 ${fmtMs(res.p50)} ms, p99 ${fmtMs(res.p99)} ms`,
          );
        }
      }
    }

    // Every variant wrote the same number of rows.
    const counts = {
      ours: (await admin.query('SELECT count(*)::int AS n FROM es.events')).rows[0].n,
      // Emmett's commands above wrote to the same table.
      emmett: (await admin.query('SELECT count(*)::int AS n FROM emt_messages')).rows[0].n - commands.rowsPerVariant,
      raw: (await admin.query('SELECT count(*)::int AS n FROM raw.events')).rows[0].n,
    };
    if (new Set(Object.values(counts)).size !== 1) throw new Error(`row counts differ: ${JSON.stringify(counts)}`);

    const appendRows = [];
    const appendResults = [];
    for (const w of cfg.writers) {
      for (const v of variants) {
        const rs = runs.get(`${v.name}/${w}`);
        const mid = rs.find((x) => x.eventsPerSec === median(rs.map((y) => y.eventsPerSec)));
        const sp = spread(rs.map((x) => x.eventsPerSec));
        appendResults.push({
          variant: v.name,
          writers: w,
          ...mid,
          spread: sp,
          rounds: rs.map((x) => Math.round(x.eventsPerSec)),
        });
        appendRows.push([
          v.name,
          w,
          fmtInt(mid.eventsPerSec),
          fmtInt(mid.appendsPerSec),
          fmtMs(mid.p50),
          fmtMs(mid.p99),
          fmtPct(sp),
        ]);
      }
    }

    // Reads.
    const filled = await fillLog(server.url, cfg, cfg.readEvents);
    await admin.query('VACUUM ANALYZE es.events');
    await admin.query('CHECKPOINT');
    const { rows: total } = await admin.query('SELECT count(*)::int AS n FROM es.events');
    const logSize = total[0].n;
    log(`log: ${fmtInt(logSize)} events (${fmtInt(filled)} added for the read test)`);
    const makeReader = {
      ours: (check) => oursReader(ours.store, cfg.readPage, check),
      raw: (check) => rawReader(rawPool, cfg.readPage, check),
    };
    const reads = { ours: [], raw: [] };
    const readCheck = {};
    // Warm-up pass of each, untimed, which also checks that the whole log came back in global order.
    for (const name of ['ours', 'raw']) {
      readCheck[name] = await readLog(makeReader[name](true), cfg.readPage, true);
      const c = readCheck[name];
      if (c.events !== logSize || c.outOfOrder) {
        log(
          `WARNING: ${name} read ${fmtInt(c.events)} of ${fmtInt(logSize)} events, ${fmtInt(c.outOfOrder)} out of global order`,
        );
      }
    }
    for (let r = 0; r < cfg.readRounds; r++) {
      for (const name of r % 2 ? ['raw', 'ours'] : ['ours', 'raw']) {
        const reader = makeReader[name](false);
        const res = await timedRead(() => readLog(reader, cfg.readPage));
        reads[name].push(res);
        log(
          `read round ${r + 1}/${cfg.readRounds} ${name.padEnd(4)}: ${fmtInt(res.events)} events, ${fmtInt(res.eventsPerSec)} events/s`,
        );
      }
    }
    const readResults = Object.fromEntries(
      Object.entries(reads).map(([name, rs]) => {
        const m = median(rs.map((x) => x.eventsPerSec));
        const mid = rs.find((x) => x.eventsPerSec === m);
        const complete = readCheck[name].events === logSize && readCheck[name].outOfOrder === 0;
        return [
          name,
          {
            events: mid.events,
            of: logSize,
            complete,
            outOfOrder: readCheck[name].outOfOrder,
            eventsPerSec: m,
            seconds: mid.seconds,
            spread: spread(rs.map((x) => x.eventsPerSec)),
            rounds: rs.map((x) => Math.round(x.eventsPerSec)),
          },
        ];
      }),
    );

    // Ratios against targets.
    const eps = (v, w) => appendResults.find((x) => x.variant === v && x.writers === w).eventsPerSec;
    const ratios = [];
    for (const w of cfg.writers)
      ratios.push({
        what: `appends ours/emmett, ${w} writer${w > 1 ? 's' : ''}`,
        ratio: eps('ours', w) / eps('emmett', w),
        target: TARGETS.appendsVsEmmett,
      });
    for (const w of cfg.writers)
      ratios.push({
        what: `appends ours/raw, ${w} writer${w > 1 ? 's' : ''}`,
        ratio: eps('ours', w) / eps('raw', w),
        target: TARGETS.appendsVsRaw,
      });
    ratios.push({
      what: 'ordered reads ours/raw',
      ratio: readResults.ours.eventsPerSec / readResults.raw.eventsPerSec,
      target: TARGETS.readsVsRaw,
      // A reader that does not return the whole log in order has not done the work it is timed on.
      valid: readResults.ours.complete && readResults.raw.complete,
    });
    for (const x of ratios) x.verdict = x.ratio >= x.target && x.valid !== false ? 'PASS' : 'MISS';
    // Context, no target: what the raw baseline gets over Emmett, i.e. what ours/emmett comes to
    // when ours costs what raw does.
    for (const w of cfg.writers)
      ratios.push({
        what: `appends raw/emmett, ${w} writer${w > 1 ? 's' : ''}`,
        ratio: eps('raw', w) / eps('emmett', w),
        target: null,
        verdict: 'ceiling for ours/emmett',
      });

    const seconds = (now() - started) / 1000;
    const out = [];
    out.push('');
    out.push(
      `Appends: ${cfg.eventsPerAppend} events (~${JSON.stringify(eventData(12345)).length} B JSON data each) per append, ` +
        `${cfg.appendsPerStream} appends per stream, ${cfg.appends[1]} appends (1 writer) / ${cfg.appends[16]} (16 writers) per phase, ` +
        `median of ${cfg.rounds} round${cfg.rounds > 1 ? 's' : ''}; pool of ${cfg.poolSize} per variant`,
    );
    out.push('');
    out.push(table(['variant', 'writers', 'events/s', 'appends/s', 'p50 ms', 'p99 ms', 'spread'], appendRows));
    out.push('');
    out.push(
      `Ordered reads: whole log of ${fmtInt(logSize)} events in global order, pages of ${cfg.readPage}, median of ${cfg.readRounds}`,
    );
    out.push('');
    out.push(
      table(
        ['variant', 'events read', 'in order', 'events/s', 'seconds', 'spread'],
        Object.entries(readResults).map(([n, x]) => [
          n,
          `${fmtInt(x.events)}${x.events === x.of ? '' : ` of ${fmtInt(x.of)}`}`,
          x.outOfOrder ? `NO (${fmtInt(x.outOfOrder)})` : 'yes',
          fmtInt(x.eventsPerSec),
          x.seconds.toFixed(2),
          fmtPct(x.spread),
        ]),
      ),
    );
    out.push('');
    out.push(
      table(
        ['ratio', 'value', 'target', ''],
        ratios.map((x) => [
          x.what,
          `${x.ratio.toFixed(2)}x`,
          x.target === null ? '' : `>= ${x.target}x`,
          x.valid === false ? `${x.verdict} (incomplete or out-of-order read)` : x.verdict,
        ]),
        ['l', 'r', 'r', 'l'],
      ),
    );
    out.push(...commandOut);
    out.push('');
    out.push(`(spread: (max - min) / median over the rounds; whole run ${seconds.toFixed(1)} s)`);
    console.log(out.join('\n'));

    const json = {
      benchmark: 'events',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, postgres: ver[0].server_version },
      config: cfg,
      rowsPerVariant: counts.ours,
      appends: appendResults,
      reads: readResults,
      ratios,
      commands,
      seconds,
    };
    console.log('\nJSON:');
    console.log(JSON.stringify(json, round4));
    return 0;
  } finally {
    if (emmett) await emmett.close().catch(() => {});
    for (const p of pools.reverse()) await p.end().catch(() => {});
    await server.stop();
  }
}
