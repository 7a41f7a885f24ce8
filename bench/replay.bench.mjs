// Rebuild of the compute manager's read models from 1,000,000 events against a raw ordered scan + JSON parse of the same table; asOf reads of a switch with 10,000 events.
//
// The log: a prefix recorded through the API (hosts and their reports, a switch with port groups
// changed twice, a DCN with a logical and a port-group NIC), a switch with 10,000 port group changes,
// then copies of the prefix's streams under new ids (bench/lib/clone-log.mjs) up to BENCH_EVENTS
// events, all written while the compute manager is down and past its relay's checkpoint.
//   rebuild  POST /admin/rebuild, followed at GET /admin/rebuilds/:id: events replayed / duration
//   raw      in this process: SELECT the same columns in the same global order, pages of 5,000,
//            rows as pg returns them (jsonb parsed): the floor. Run before and after the rebuild,
//            the faster of the two kept.
// Then GET /switches/:id?asOf=<position> at BENCH_ASOF_READS positions spread over the big switch's
// history, and at its head: p50 / p99.
//
// With BENCH_PG_STATEMENTS=N, PostgreSQL runs pg_stat_statements, and the N statements that took
// most server time during the rebuild, and then during the asOf reads, are printed (calls, rows,
// total and per-row time).
//
// BENCH_ROUNDS=N repeats raw scan / rebuild N times and prints the median ratio too.
//
// `npm run bench -- replay` (BENCH_EVENTS, default 1,000,000; BENCH_ASOF_READS, default 200).
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import pg from 'pg';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { cloneStreams } from './lib/clone-log.mjs';
import { cpuMeter } from './lib/cpu.mjs';
import { call, startBenchStack, TOKEN } from './lib/services.mjs';
import { fmtInt, fmtMs, quantile, table } from './lib/stats.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const ASOF_READS = Number(process.env.BENCH_ASOF_READS ?? 200);
const PG_STATEMENTS = Number(process.env.BENCH_PG_STATEMENTS ?? 0);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const SWITCH_EVENTS = 10_000;
const TARGETS = { rebuildVsRaw: 0.5, asOfP99Ms: 50 };
const SCHEMA = 'compute_manager';
const log = (...a) => console.error('[bench:replay]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const construct = (i) => ({
  id: `0f8b1c2d-3e4f-4a5b-8c6d-00000000000${i}`,
  name: `net-${i}`,
  vni: 5000 + i,
  mtu: 1500,
  transportZoneId: '7d1c5a0e-0b7e-4f7e-9c55-7a1b2c3d4e5f',
  revision: 1,
  owner: 'network-manager',
});

/** The prefix, through the API and host reports over NATS; the template streams to copy. */
async function recordPrefix(cm, nats) {
  const hosts = ['bh-1', 'bh-2'];
  for (const hostId of hosts) await call(cm.url, 'POST', '/hosts', { hostId });
  const nc = await connect(await natsOptions(nats));
  for (const hostId of hosts) {
    const held = [construct(1), construct(2)];
    const report = {
      hostId,
      bootId: 'boot',
      seq: 1,
      held: held.map((c) => ({ id: c.id, revision: 1 })),
      upserted: held,
      removed: [],
      sentAt: new Date().toISOString(),
    };
    await jetstream(nc).publish(`hosts.${hostId}.report`, JSON.stringify(report), { msgID: `${hostId}:boot:1` });
  }
  for (;;) {
    const learned = await call(cm.url, 'GET', '/logical-networks');
    if (learned.length === 2 && learned.every((n) => n.hosts.length === 2)) break;
    await sleep(100);
  }
  await nc.close();
  const sw = await call(cm.url, 'POST', '/switches', { name: 'sw', hostIds: hosts });
  const groups = [];
  for (const [name, vlanId] of [
    ['vms', 10],
    ['storage', 20],
    ['backup', 30],
  ]) {
    groups.push((await call(cm.url, 'POST', `/switches/${sw.id}/port-groups`, { name, vlanId })).portGroupId);
  }
  await call(cm.url, 'PATCH', `/switches/${sw.id}/port-groups/${groups[0]}`, { vlanId: 11 });
  await call(cm.url, 'PATCH', `/switches/${sw.id}/port-groups/${groups[1]}`, {
    policy: { security: { promiscuous: true, macChanges: false, forgedTransmits: false } },
  });
  const dcn = await call(cm.url, 'POST', '/dcns', { name: 'vm', hostId: 'bh-1' });
  const nics = [];
  nics.push(await call(cm.url, 'POST', `/dcns/${dcn.id}/nics`, { logicalNetworkId: construct(1).id }));
  nics.push(await call(cm.url, 'POST', `/dcns/${dcn.id}/nics`, { portGroupId: groups[0] }));
  const big = await call(cm.url, 'POST', '/switches', { name: 'big', hostIds: [] });
  const bigGroup = (await call(cm.url, 'POST', `/switches/${big.id}/port-groups`, { name: 'pg', vlanId: 1 })).portGroupId;
  return {
    big,
    bigGroup,
    templates: [
      // Each copy has hosts of its own (bh-1-c<k>), which its switch and DCN name.
      { streamId: `switch-${sw.id}`, owned: [sw.id, ...groups] },
      { streamId: `dcn-${dcn.id}`, owned: [dcn.id, ...nics.flatMap((n) => [n.id, n.portId])] },
      { streamId: 'host-bh-1', owned: ['bh-1'] },
      { streamId: 'host-bh-2', owned: ['bh-2'] },
    ],
  };
}

/** SWITCH_EVENTS changes of one port group of `big`, in the shape the decider records them. */
async function growSwitch(db, big, bigGroup) {
  const { rows } = await db.query(
    `SELECT version, metadata FROM ${SCHEMA}.events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1`,
    [`switch-${big.id}`],
  );
  const from = Number(rows[0].version);
  await db.query(
    `INSERT INTO ${SCHEMA}.events (id, stream_id, version, type, data, metadata)
     SELECT gen_random_uuid(), $1, $2::int + i, 'PortGroupReconfigured',
       jsonb_build_object('id', $3::text, 'portGroupId', $4::text, 'vlanId', 1 + i % 4000, 'revision', $2::int + i), $5::jsonb
     FROM generate_series(1, $6::int) AS i ORDER BY i`,
    [`switch-${big.id}`, from, big.id, bigGroup, JSON.stringify(rows[0].metadata), SWITCH_EVENTS],
  );
  await db.query(`UPDATE ${SCHEMA}.streams SET version = $2 WHERE stream_id = $1`, [`switch-${big.id}`, from + SWITCH_EVENTS]);
}

/** The floor: the whole table in global order, pages of 5,000, jsonb parsed by pg. */
async function rawScan(url, meter) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  meter?.start();
  const t0 = performance.now();
  let cursor = ['0', 0];
  let n = 0;
  for (;;) {
    const { rows } = await client.query({
      name: 'raw-page',
      text: `SELECT position, transaction_id, id, stream_id, version, type, data, metadata, recorded_at FROM ${SCHEMA}.events
             WHERE (transaction_id, position) > ($1::xid8, $2::bigint) ORDER BY transaction_id, position LIMIT 5000`,
      values: cursor,
    });
    if (rows.length === 0) break;
    n += rows.length;
    const last = rows[rows.length - 1];
    cursor = [last.transaction_id, last.position];
  }
  const seconds = (performance.now() - t0) / 1000;
  // Before the connection ends, while its backend is there to be counted.
  const cpu = meter?.stop();
  await client.end();
  return { events: n, seconds, rate: n / seconds, cpu };
}

async function timedRebuild(cm) {
  const res = await fetch(`${cm.url}/admin/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  const started = await res.json();
  if (res.status === 200) return { events: started.events, seconds: started.durationMs / 1000 };
  for (;;) {
    await sleep(200);
    const t = await call(cm.url, 'GET', `/admin/rebuilds/${started.id}`);
    if (t.state === 'failed') throw new Error(`rebuild failed: ${t.error}`);
    if (t.state === 'succeeded') return { events: t.replayed, seconds: t.durationMs / 1000 };
  }
}

async function asOfReads(cm, db, big) {
  const { rows } = await db.query(`SELECT position FROM ${SCHEMA}.events WHERE stream_id = $1 ORDER BY version`, [
    `switch-${big.id}`,
  ]);
  const positions = rows.map((r) => Number(r.position));
  const read = async (path) => {
    const t0 = performance.now();
    const res = await fetch(`${cm.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return performance.now() - t0;
  };
  const spread = new Float64Array(ASOF_READS);
  const head = new Float64Array(ASOF_READS);
  for (let i = 0; i < 10; i++) await read(`/switches/${big.id}?asOf=${positions[(i * 997) % positions.length]}`);
  for (let i = 0; i < ASOF_READS; i++) {
    spread[i] = await read(`/switches/${big.id}?asOf=${positions[Math.floor(((i + 0.5) / ASOF_READS) * positions.length)]}`);
    head[i] = await read(`/switches/${big.id}?asOf=${positions[positions.length - 1]}`);
  }
  return { events: positions.length, spread, head };
}

const medianOf = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The statements that took most of the server's time since the last reset, and their share. */
async function topStatements(db, n) {
  const { rows } = await db.query(
    `SELECT calls, rows, total_exec_time AS ms, sum(total_exec_time) OVER () AS all_ms, regexp_replace(query, '\\s+', ' ', 'g') AS query
     FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT $1`,
    [n],
  );
  return rows.map((r) => [
    fmtInt(Number(r.calls)),
    fmtInt(Number(r.rows)),
    `${(r.ms / 1000).toFixed(2)} s`,
    `${((100 * r.ms) / r.all_ms).toFixed(1)}%`,
    Number(r.rows) ? `${((1000 * r.ms) / Number(r.rows)).toFixed(1)} µs` : '',
    r.query.slice(0, 110),
  ]);
}

export default async function replayBench() {
  const stack = await startBenchStack({
    pgSettings: PG_STATEMENTS ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : {},
  });
  const db = new pg.Client({ connectionString: stack.pg.url });
  try {
    let cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '2000' });
    log('recording the prefix through the API');
    const { templates, big, bigGroup } = await recordPrefix(cm, stack.nats);
    await cm.stop();
    await db.connect();
    await growSwitch(db, big, bigGroup);
    const count = async () => Number((await db.query(`SELECT count(*) AS n FROM ${SCHEMA}.events`)).rows[0].n);
    const perCopy = Number(
      (await db.query(`SELECT count(*) AS n FROM ${SCHEMA}.events WHERE stream_id = ANY($1)`, [templates.map((t) => t.streamId)]))
        .rows[0].n,
    );
    const copies = Math.max(0, Math.ceil((EVENTS - (await count())) / perCopy));
    log(`copying ${perCopy} events × ${copies} with SQL`);
    const t0 = performance.now();
    await cloneStreams(db, SCHEMA, templates, copies, { chunk: 5000 });
    const total = await count();
    log(`${fmtInt(total)} events in the log (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    await db.query(`UPDATE ${SCHEMA}.checkpoints SET (transaction_id, position) =
      (SELECT transaction_id, position FROM ${SCHEMA}.events ORDER BY transaction_id DESC, position DESC LIMIT 1) WHERE name = 'relay'`);
    await db.query(`VACUUM ANALYZE ${SCHEMA}.events`);
    cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '2000', REBUILD_SYNC_WAIT_MS: '0' });

    const rssBefore = cm.rssMiB();
    // Each round: a raw scan, the rebuild, a raw scan; the round's ratio is against the faster scan
    // beside it, and the rounds' median ratio is the figure (a rebuild is repeatable: it drops and
    // replays the same log).
    const rounds = [];
    let statements = [];
    // CPU time of each side, the figure that machine load does not move much: the rebuild's (compute
    // manager and PostgreSQL) and the raw scan's (this process and PostgreSQL).
    const rebuildCpu = cpuMeter([
      { name: 'compute-manager', pid: cm.pid },
      { name: 'postgres', pid: stack.pg.pid, children: true },
    ]);
    const scanCpu = cpuMeter([
      { name: 'scan', pid: process.pid },
      { name: 'postgres', pid: stack.pg.pid, children: true },
    ]);
    const timedScan = () => rawScan(stack.pg.url, scanCpu);
    let raw = await timedScan();
    for (let round = 0; round < ROUNDS; round++) {
      log(`raw scan: ${fmtInt(raw.rate)} events/s`);
      if (PG_STATEMENTS && round === 0) {
        await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
        await db.query('SELECT pg_stat_statements_reset()');
      }
      rebuildCpu.start();
      const rebuilt = { ...(await timedRebuild(cm)), cpu: rebuildCpu.stop() };
      if (PG_STATEMENTS && round === 0) statements = await topStatements(db, PG_STATEMENTS);
      log(`rebuild: ${fmtInt(rebuilt.events)} events in ${rebuilt.seconds.toFixed(1)} s`);
      const after = await timedScan();
      const best = raw.rate > after.rate ? raw : after;
      const rate = rebuilt.events / rebuilt.seconds;
      rounds.push({ rebuilt, raw: best, rate, ratio: rate / best.rate });
      raw = after;
    }
    const peakRss = cm.peakRssMiB();
    if (PG_STATEMENTS) await db.query('SELECT pg_stat_statements_reset()');
    const asOf = await asOfReads(cm, db, big);
    const asOfStatements = PG_STATEMENTS ? await topStatements(db, PG_STATEMENTS) : [];

    console.log(`replay: ${fmtInt(total)} events in the compute manager's log, ${ROUNDS} round${ROUNDS > 1 ? 's' : ''}`);
    const rows = rounds.flatMap(({ rebuilt, raw, rate, ratio }, i) => [
      [
        ROUNDS > 1 ? `rebuild, round ${i + 1}` : 'rebuild',
        fmtInt(rebuilt.events),
        rebuilt.seconds.toFixed(1),
        fmtInt(rate),
        `${ratio.toFixed(2)}×`,
        `≥ ${TARGETS.rebuildVsRaw}×`,
      ],
      ['raw scan + parse', fmtInt(raw.events), raw.seconds.toFixed(1), fmtInt(raw.rate), '1.00×', ''],
    ]);
    console.log(table(['', 'events', 'seconds', 'events/s', 'vs raw', 'target'], rows));
    if (ROUNDS > 1) {
      const ratios = rounds.map((r) => r.ratio).sort((a, b) => a - b);
      console.log(
        `rebuild vs raw, median of ${ROUNDS} rounds: ${ratios[Math.floor(ROUNDS / 2)].toFixed(2)}× (${ratios.map((r) => r.toFixed(2)).join(', ')})  target ≥ ${TARGETS.rebuildVsRaw}×`,
      );
    }
    const cpuPer100k = (ms, events) => `${((ms / events) * 100).toFixed(2)} s`;
    console.log(
      `CPU per 100,000 events (medians): rebuild: compute manager ${cpuPer100k(medianOf(rounds.map((r) => r.rebuilt.cpu['compute-manager'])), total)}, ` +
        `postgres ${cpuPer100k(medianOf(rounds.map((r) => r.rebuilt.cpu.postgres)), total)}; raw scan: client ${cpuPer100k(medianOf(rounds.map((r) => r.raw.cpu.scan)), total)}, ` +
        `postgres ${cpuPer100k(medianOf(rounds.map((r) => r.raw.cpu.postgres)), total)}`,
    );
    console.log(`compute manager RSS: ${rssBefore.toFixed(0)} MiB before the rebuild, peak ${peakRss.toFixed(0)} MiB`);
    if (statements.length) {
      console.log(`PostgreSQL's time during the rebuild, by statement (the ${statements.length} longest):`);
      console.log(table(['calls', 'rows', 'total', 'share', 'per row', 'statement'], statements));
    }
    console.log(`GET /switches/:id?asOf= on a switch of ${fmtInt(asOf.events)} events, ${ASOF_READS} reads each:`);
    console.log(
      table(
        ['asOf', 'p50', 'p99', 'target p99'],
        [
          [
            'spread over its history',
            fmtMs(quantile(asOf.spread, 0.5)),
            fmtMs(quantile(asOf.spread, 0.99)),
            `≤ ${TARGETS.asOfP99Ms} ms`,
          ],
          ['its last event', fmtMs(quantile(asOf.head, 0.5)), fmtMs(quantile(asOf.head, 0.99)), `≤ ${TARGETS.asOfP99Ms} ms`],
        ],
      ),
    );
    if (asOfStatements.length) {
      console.log(`PostgreSQL's time during the asOf reads, by statement (the ${asOfStatements.length} longest):`);
      console.log(table(['calls', 'rows', 'total', 'share', 'per row', 'statement'], asOfStatements));
    }
  } finally {
    await db.end().catch(() => {});
    await stack.stop();
  }
}
