// The compute manager's DCN paths on a switch of many simulated hosts: NIC attaches through the API
// with 16 clients, then migrations (sequential, and 16 clients at once), each against its target and
// against floors measured in the same run on the same servers (the durable writes and round trips the
// work cannot go below).
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { cpuMeter, formatCpu } from './lib/cpu.mjs';
import { switchWithPorts, waitHostsKnown, waitTask } from './lib/push.mjs';
import { call, pool, startBenchStack } from './lib/services.mjs';
import { fmtMs, quantile, table } from './lib/stats.mjs';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 2000);
const PORTS_PER_HOST = Number(process.env.BENCH_PORTS ?? 5);
const MIGRATIONS = Number(process.env.BENCH_MIGRATIONS ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
/** Hosts the concurrent migrations move their DCNs between. */
const MIGRATION_HOSTS = Math.min(HOSTS, Number(process.env.BENCH_MIGRATION_HOSTS ?? 64));
const FLOOR_SAMPLES = Number(process.env.BENCH_FLOOR_SAMPLES ?? 2000);
const TARGET = { attachesPerSec: 500, seqP99: 25, concPerSec: 200, concP99: 50 };

const verdict = (ok) => (ok ? 'PASS' : 'MISS');
const rate = (n, ms) => (n * 1000) / ms;

/** Latencies of `n` calls of `fn` by `clients` concurrent clients, and the wall time of all. */
async function timed(n, clients, fn) {
  const latencies = [];
  const t0 = performance.now();
  await pool(
    Array.from({ length: n }, (_, i) => i),
    clients,
    async (i) => {
      const t = performance.now();
      await fn(i);
      latencies.push(performance.now() - t);
    },
  );
  return { latencies, ms: performance.now() - t0 };
}

/**
 * The floors, on the stack's own PostgreSQL and NATS: a durable commit of one small row per call
 * (what every accepted attach and both steps of a migration must at least do before answering),
 * and a core request/reply round trip (what each host's confirmation of a migration at least costs).
 */
async function floors(stack, clients) {
  const db = new pg.Pool({ connectionString: stack.pg.url, max: clients });
  await db.query('CREATE TABLE IF NOT EXISTS bench_floor (id serial PRIMARY KEY, body jsonb)');
  const commit = async () => {
    const c = await db.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO bench_floor (body) VALUES ($1)', [JSON.stringify({ nic: crypto.randomUUID(), portId: crypto.randomUUID() })]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };
  const nc = await connect(await natsOptions(stack.nats));
  const sub = nc.subscribe('bench.floor.echo', { callback: (_e, m) => m.respond(m.data) });
  await nc.flush();
  const roundTrip = () => nc.request('bench.floor.echo', new Uint8Array(64), { timeout: 5000 });
  return {
    commit,
    roundTrip,
    /** A migration's least work: commit (start), round trip (target), commit (move), round trip (source). */
    migration: async () => {
      await commit();
      await roundTrip();
      await commit();
      await roundTrip();
    },
    stop: async () => {
      sub.unsubscribe();
      await nc.close();
      await db.end();
    },
  };
}

const row = (label, { latencies, ms }, n) => [
  label,
  Math.round(rate(n, ms)).toLocaleString('en-US'),
  fmtMs(quantile(latencies, 0.5)),
  fmtMs(quantile(latencies, 0.99)),
];

export default async function dcnsBench() {
  const stack = await startBenchStack();
  let floor = null;
  try {
    console.log(`dcns: ${HOSTS} hosts × ${PORTS_PER_HOST} NICs through the API with ${CLIENTS} clients, ${MIGRATIONS} migrations`);
    if (HOSTS < 2000 || PORTS_PER_HOST < 30)
      console.log('  (the full size of issue 17: BENCH_HOSTS=2000 BENCH_PORTS=30 npm run bench -- dcns)');
    const cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '600000', MIGRATION_TIMEOUT_MS: '10000' });
    const ha = await stack.startService('host-agent', { HOSTS: String(HOSTS) });
    const hostIds = Array.from({ length: HOSTS }, (_, i) => `host-${i + 1}`);
    await waitHostsKnown(cm, HOSTS);
    const meter = cpuMeter([
      { name: 'compute-manager', pid: cm.pid },
      { name: 'host-agent', pid: ha.pid },
      { name: 'nats-server', pid: stack.nats.pid },
      { name: 'postgres', pid: stack.pg.pid, children: true },
    ]);

    // What the stack spends at rest (the hosts heartbeating), per second: taken off the CPU per operation.
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    await sleep(3000);
    meter.start();
    const tRest = performance.now();
    await sleep(5000);
    const rest = meter.stop();
    const restMs = performance.now() - tRest;
    console.log(`  at rest, per s: ${formatCpu(Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k === 'machine' ? Object.fromEntries(Object.entries(v).map(([a, b]) => [a, (b * 1000) / restMs])) : (v * 1000) / restMs])))}`);
    /** CPU ms per operation of each process, net of what it spends at rest over the same time. */
    const perOp = (used, ms, n) =>
      Object.entries(used)
        .filter(([k]) => k !== 'machine')
        .map(([k, v]) => `${k} ${((v - (rest[k] * ms) / restMs) / n).toFixed(2)}`)
        .join(', ');

    // Attaches: the push bench's own setup (a DCN per host, its NICs one after the other, 16 hosts at once).
    meter.start();
    const tAttachMeter = performance.now();
    const { pg: web, other, attaches } = await switchWithPorts(cm, { hostIds, portsPerHost: PORTS_PER_HOST, rollbackTimeoutMs: 5000 });
    const attachCpu = meter.stop();
    const attachMeterMs = performance.now() - tAttachMeter;
    const nAttach = HOSTS * PORTS_PER_HOST;
    console.log(
      `  ${nAttach} NICs attached in ${Math.round(attaches.ms)} ms (${Math.round(rate(nAttach, attaches.ms))}/s), every host's last task done ${Math.round(attaches.doneMs)} ms after the first attach`,
    );
    console.log(`    ${formatCpu(attachCpu)}`);
    console.log(`    CPU ms per attach, net of rest: ${perOp(attachCpu, attachMeterMs, nAttach)}`);

    // Sequential migrations of one DCN between two members of the switch.
    const mover = await call(cm.url, 'POST', '/dcns', { name: 'mover', hostId: hostIds[0] });
    for (let i = 0; i < 2; i++) await waitTask(cm, (await call(cm.url, 'POST', `/dcns/${mover.id}/nics`, { portGroupId: other.portGroupId })).taskId);
    const seq = await timed(MIGRATIONS, 1, (i) =>
      call(cm.url, 'POST', `/dcns/${mover.id}/migrate`, { targetHostId: i % 2 === 0 ? hostIds[1] : hostIds[0] }),
    );

    // Concurrent migrations: each client moves its own DCN among MIGRATION_HOSTS hosts, at random.
    const movers = [];
    for (let c = 0; c < CLIENTS; c++) {
      const dcn = await call(cm.url, 'POST', '/dcns', { name: `mover-${c}`, hostId: hostIds[c % MIGRATION_HOSTS] });
      let last;
      for (let i = 0; i < 2; i++) last = await call(cm.url, 'POST', `/dcns/${dcn.id}/nics`, { portGroupId: i ? other.portGroupId : web.portGroupId });
      await waitTask(cm, last.taskId);
      movers.push({ id: dcn.id, hostId: dcn.hostId });
    }
    meter.start();
    const conc = { latencies: [], ms: 0 };
    const tConc = performance.now();
    await Promise.all(
      movers.map(async (m, c) => {
        for (let i = c; i < MIGRATIONS; i += CLIENTS) {
          let target;
          do target = hostIds[Math.floor(Math.random() * MIGRATION_HOSTS)];
          while (target === m.hostId);
          const t = performance.now();
          const moved = await call(cm.url, 'POST', `/dcns/${m.id}/migrate`, { targetHostId: target });
          conc.latencies.push(performance.now() - t);
          if (moved.hostId !== target) throw new Error(`DCN ${m.id} answered on ${moved.hostId}, not ${target}`);
          m.hostId = target;
        }
      }),
    );
    conc.ms = performance.now() - tConc;
    const concCpu = meter.stop();
    console.log(`  ${MIGRATIONS} migrations by ${CLIENTS} clients: ${formatCpu(concCpu)}`);
    console.log(`    CPU ms per migration, net of rest: ${perOp(concCpu, conc.ms, MIGRATIONS)}`);
    // Every DCN is where its last answer put it, and only there.
    for (const m of movers) {
      const d = await call(cm.url, 'GET', `/dcns/${m.id}`);
      if (d.hostId !== m.hostId) throw new Error(`DCN ${m.id} is on ${d.hostId}, its last migration answered ${m.hostId}`);
    }

    floor = await floors(stack, CLIENTS);
    const fCommit16 = await timed(FLOOR_SAMPLES, CLIENTS, floor.commit);
    const fMigSeq = await timed(Math.min(MIGRATIONS, 500), 1, floor.migration);
    const fMig16 = await timed(Math.min(MIGRATIONS, 1000), CLIENTS, floor.migration);

    console.log('');
    console.log(`  NIC attaches, ${CLIENTS} clients (a DCN per host, its NICs one after the other)`);
    console.log(
      table(
        ['', 'per s', 'p50 ms', 'p99 ms', 'target', ''],
        [
          [...row('ours: POST /dcns/:id/nics', attaches, nAttach), `≥ ${TARGET.attachesPerSec}/s`, verdict(rate(nAttach, attaches.ms) >= TARGET.attachesPerSec)],
          [...row(`floor: one durable commit of a row, ${CLIENTS} clients`, fCommit16, FLOOR_SAMPLES), '', ''],
          ['ours / floor', `${(rate(nAttach, attaches.ms) / rate(FLOOR_SAMPLES, fCommit16.ms)).toFixed(2)}×`, '', '', '', ''],
        ],
        ['l', 'r', 'r', 'r', 'r', 'l'],
      ),
    );
    console.log('');
    console.log('  migrations (floor: commit, round trip, commit, round trip)');
    console.log(
      table(
        ['', 'per s', 'p50 ms', 'p99 ms', 'target', ''],
        [
          [...row('ours: sequential', seq, MIGRATIONS), `p99 ≤ ${TARGET.seqP99} ms`, verdict(quantile(seq.latencies, 0.99) <= TARGET.seqP99)],
          [...row('floor: sequential', fMigSeq, fMigSeq.latencies.length), '', ''],
          [
            ...row(`ours: ${CLIENTS} clients`, conc, MIGRATIONS),
            `≥ ${TARGET.concPerSec}/s, p99 ≤ ${TARGET.concP99} ms`,
            verdict(rate(MIGRATIONS, conc.ms) >= TARGET.concPerSec && quantile(conc.latencies, 0.99) <= TARGET.concP99),
          ],
          [...row(`floor: ${CLIENTS} clients`, fMig16, fMig16.latencies.length), '', ''],
          ['ours / floor, sequential p99', `${(quantile(seq.latencies, 0.99) / quantile(fMigSeq.latencies, 0.99)).toFixed(2)}×`, '', '', '', ''],
          [`floor / ours, ${CLIENTS} clients' rate`, `${(rate(fMig16.latencies.length, fMig16.ms) / rate(MIGRATIONS, conc.ms)).toFixed(2)}×`, '', '', '', ''],
        ],
        ['l', 'r', 'r', 'r', 'r', 'l'],
      ),
    );
    console.log(`  host agent peak RSS ${Math.round(ha.peakRssMiB())} MiB, compute manager ${Math.round(cm.peakRssMiB())} MiB`);
  } finally {
    await floor?.stop();
    await stack.stop();
  }
}
