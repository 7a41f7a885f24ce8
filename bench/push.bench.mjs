// 2,000 simulated hosts × 30 ports on one switch: PATCH of a port group → last host's applied report,
// against the floors that bound what a push must do (transport, durable write, round trip), each
// measured in the same run on the same servers; the same push as a client of the API sees it; 1,000
// sequential migrations.
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { cpuMeter, formatCpu } from './lib/cpu.mjs';
import { desiredBytes, journalOf, startFloors } from './lib/floors.mjs';
import { appliedReports, switchWithPorts, waitHostsKnown, waitSettled, waitTask } from './lib/push.mjs';
import { call, startBenchStack } from './lib/services.mjs';
import { fmtMs, median, table } from './lib/stats.mjs';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 2000);
const PORTS_PER_HOST = Number(process.env.BENCH_PORTS ?? 30);
const MIGRATIONS = Number(process.env.BENCH_MIGRATIONS ?? 1000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const ROLLBACK_TIMEOUT_MS = Number(process.env.BENCH_ROLLBACK_TIMEOUT_MS ?? 5000);
/** Each floor is measured this many times after each push. */
const FLOOR_REPEATS = Math.max(1, Number(process.env.BENCH_FLOOR_REPEATS ?? 3));
/** Ours against the sum of the floors, and what a client sees against the last host's report. */
const FLOOR_TARGET = 1.2;
const API_TARGET = 1.2;
const RSS_TARGET_MIB = HOSTS > 2000 ? 2048 : 1024;
/** A profiled host agent: each push prints its window on the monotonic clock, the profile's timeline (µs). */
const PROFILED = /--cpu-prof\b/.test(process.env.BENCH_NODE_ARGS_HOST_AGENT ?? '');
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export default async function pushBench() {
  const stack = await startBenchStack();
  let floors = null;
  try {
    console.log(`push: ${HOSTS} hosts × ${PORTS_PER_HOST} ports on one switch`);
    const cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '600000', MIGRATION_TIMEOUT_MS: '10000' });
    const ha = await stack.startService('host-agent', { HOSTS: String(HOSTS) });
    const hostIds = Array.from({ length: HOSTS }, (_, i) => `host-${i + 1}`);
    const t0 = performance.now();
    await waitHostsKnown(cm, HOSTS);
    console.log(`  ${HOSTS} hosts known to the compute manager after ${Math.round(performance.now() - t0)} ms`);

    // Pushes run with the safety net on; a short rollback timeout makes waiting out its proofs cheap.
    const tPorts = performance.now();
    const { sw, pg, other } = await switchWithPorts(cm, {
      hostIds,
      portsPerHost: PORTS_PER_HOST,
      rollbackTimeoutMs: ROLLBACK_TIMEOUT_MS,
    });
    console.log(`  ${HOSTS * PORTS_PER_HOST} ports attached and realized in ${Math.round(performance.now() - tPorts)} ms`);

    // The push: one PATCH, the final state once to all hosts; each applies its diff and reports.
    const nc = await connect(await natsOptions(stack.nats));
    const results = [];
    floors = await startFloors(stack.nats, { hostIds, dir: join(stack.dir, 'floor-hosts') });
    const samples = { transport: [], durable: [], roundTrip: [] };
    // The push's writes, as the first host's store wrote them: what the durable-write floor writes.
    const journal = journalOf(join(stack.dir, 'data', 'hosts', hostIds[0]));
    let pushWrite = null;
    const meter = cpuMeter([
      { name: 'host-agent', pid: ha.pid },
      { name: 'compute-manager', pid: cm.pid },
      { name: 'nats-server', pid: stack.nats.pid },
      { name: 'postgres', pid: stack.pg.pid, children: true },
    ]);
    // The setup's 60,000 attaches leave the managers work to finish (their own events replayed from
    // the log): the push is measured on a settled stack, and what it costs at rest (2,000 hosts
    // heartbeating) is the floor under it.
    const { rest, ms: settleMs } = await waitSettled(meter);
    console.log(`  settled after ${Math.round(settleMs / 1000)} s; at rest, 1 s: ${formatCpu(rest)}`);
    for (let round = 0; round < ROUNDS; round++) {
      const vlan = 20 + round;
      let putAt = 0;
      // The final state landing in the bucket the hosts watch: splits the CM's part from the hosts'.
      const put = nc.subscribe(`$KV.vnet-switches.${sw.id}`, { callback: () => (putAt ||= performance.now()) });
      const reports = appliedReports(nc, sw.id, hostIds);
      await reports.flush();
      const current = await call(cm.url, 'GET', `/switches/${sw.id}`);
      reports.expect(current.revision + 1);
      const journalAt = journal.size();
      meter.start();
      const usPatch = monotonicUs();
      const tPatch = performance.now();
      const patched = await call(cm.url, 'PATCH', `/switches/${sw.id}/port-groups/${pg.portGroupId}`, { vlanId: vlan });
      // What a client sees: the task succeeded in GET /tasks/:id, polled closely.
      const task = await waitTask(cm, patched.taskId, 60000, 5).catch(() => ({ state: 'still running after 60 s' }));
      const tTask = performance.now();
      await reports.whenAll(Math.max(0, 60000 - (performance.now() - tPatch)));
      const cpu = meter.stop();
      const usDone = monotonicUs();
      reports.stop();
      put.unsubscribe();
      const { firstAt, lastAt, rolledBack } = reports;
      if (!lastAt) {
        console.log(
          `  round ${round + 1}: only ${reports.reported.size} of ${HOSTS} hosts reported within 60 s; task ${task.state}`,
        );
        results.push({ lastReport: Infinity });
        continue;
      }
      // The push runs with the safety net on: no host whose link works may roll it back (wait out the timeout).
      await sleep(Math.max(0, current.rollbackTimeoutMs + 1500 - (performance.now() - tPatch)));
      results.push({ lastReport: lastAt - tPatch, task: tTask - tPatch, state: task.state, rolledBack: rolledBack.size });
      const at = (t) => (t ? `${Math.round(t - tPatch)} ms` : 'not seen');
      console.log(
        `  round ${round + 1}: last host's applied report ${Math.round(lastAt - tPatch)} ms after the PATCH (final state in the bucket at ${at(putAt)}, first host's report at ${at(firstAt)}); task ${task.state} in GET /tasks/:id at ${Math.round(tTask - tPatch)} ms`,
      );
      console.log(`    ${formatCpu(cpu)}`);
      console.log(`    hosts that rolled the push back (rollback on, no link cut): ${rolledBack.size}`);
      if (PROFILED) console.log(`    host agent profile window (monotonic µs): ${usPatch}-${usDone}`);

      // The floors, on the same servers, after this push: its final state's bytes, its first write's records.
      const frames = journal.framesSince(journalAt);
      if (frames?.length) pushWrite = { records: frames[0].records, bytes: frames[0].bytes, frames: frames.map((f) => f.bytes) };
      if (!pushWrite) throw new Error(`${hostIds[0]}'s journal shows no write of the push`);
      const bytes = await desiredBytes(stack.nats, sw.id);
      for (let i = 0; i < FLOOR_REPEATS; i++) {
        samples.transport.push(await floors.transport(bytes));
        samples.durable.push(await floors.durable(pushWrite.records));
        samples.roundTrip.push(await floors.roundTrips());
      }
      const last = (a) => fmtMs(a[a.length - 1]);
      console.log(
        `    floors: transport of ${bytes.length} B ${last(samples.transport)} ms, durable write of ${pushWrite.bytes} B (${pushWrite.records.length} records; the push's frames here: ${pushWrite.frames.join(', ')} B) ${last(samples.durable)} ms, round trips ${last(samples.roundTrip)} ms`,
      );
    }
    const ours = median(results.map((r) => r.lastReport));
    const apiView = median(results.map((r) => r.task ?? Infinity));
    const floor = {
      transport: median(samples.transport),
      durable: median(samples.durable),
      roundTrip: median(samples.roundTrip),
    };
    const floorSum = floor.transport + floor.durable + floor.roundTrip;
    const rss = ha.peakRssMiB();

    // 1,000 sequential migrations with their checks, between hosts that are members of the switch.
    const dcn = await call(cm.url, 'POST', '/dcns', { name: 'mover', hostId: 'host-1' });
    for (let i = 0; i < 2; i++)
      await waitTask(cm, (await call(cm.url, 'POST', `/dcns/${dcn.id}/nics`, { portGroupId: other.portGroupId })).taskId);
    const latencies = [];
    for (let i = 0; i < MIGRATIONS; i++) {
      const target = i % 2 === 0 ? 'host-2' : 'host-1';
      const t = performance.now();
      await call(cm.url, 'POST', `/dcns/${dcn.id}/migrate`, { targetHostId: target });
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);

    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    const all = (a) => a.map(fmtMs).join(' ');
    console.log('');
    console.log(
      `  push to ${HOSTS} hosts against its floors (medians; ${ROUNDS} pushes, each floor ${FLOOR_REPEATS}× after each)`,
    );
    console.log(
      table(
        ['', 'median ms', 'target', '', 'samples ms'],
        [
          [
            `1. transport: the bytes once to one connection, parsed once, ${HOSTS} acks`,
            fmtMs(floor.transport),
            '',
            '',
            all(samples.transport),
          ],
          [
            `2. durable write: ${HOSTS} host stores × ${pushWrite?.bytes ?? '-'} B, group commit`,
            fmtMs(floor.durable),
            '',
            '',
            all(samples.durable),
          ],
          [
            `3. round trip: ${HOSTS} heartbeats to the compute manager at once`,
            fmtMs(floor.roundTrip),
            '',
            '',
            all(samples.roundTrip),
          ],
          ['sum of the floors', fmtMs(floorSum), '', '', ''],
          ["ours: PATCH → last host's applied report", fmtMs(ours), '', '', all(results.map((r) => r.lastReport))],
          ['ours / sum', `${(ours / floorSum).toFixed(2)}×`, `≤ ${FLOOR_TARGET}×`, verdict(ours / floorSum <= FLOOR_TARGET), ''],
        ],
        ['l', 'r', 'r', 'l', 'l'],
      ),
    );
    console.log('');
    console.log('  the same pushes as a client of the API sees them');
    console.log(
      table(
        ['', 'median ms', 'target', '', 'samples ms'],
        [
          ['PATCH → task succeeded in GET /tasks/:id', fmtMs(apiView), '', '', all(results.map((r) => r.task ?? Infinity))],
          ["PATCH → last host's applied report", fmtMs(ours), '', '', all(results.map((r) => r.lastReport))],
          ['API / last report', `${(apiView / ours).toFixed(2)}×`, `≤ ${API_TARGET}×`, verdict(apiView / ours <= API_TARGET), ''],
          [
            'API / sum of the floors',
            `${(apiView / floorSum).toFixed(2)}×`,
            `≤ ${FLOOR_TARGET}×`,
            verdict(apiView / floorSum <= FLOOR_TARGET),
            '',
          ],
        ],
        ['l', 'r', 'r', 'l', 'l'],
      ),
    );
    const states = [...new Set(results.map((r) => r.state))];
    if (states.length !== 1 || states[0] !== 'succeeded')
      console.log(`  task states: ${states.join(', ')}  (each must be succeeded)  MISS`);
    console.log('');
    const rollbacks = results.reduce((n, r) => n + (r.rolledBack ?? 0), 0);
    console.log(
      `  rollbacks over ${ROUNDS} pushes with the safety net on: ${rollbacks}  target 0  ${rollbacks === 0 ? 'PASS' : 'MISS'}`,
    );
    console.log(
      `  host agent peak RSS: ${Math.round(rss)} MiB  target ≤ ${RSS_TARGET_MIB} MiB  ${verdict(rss <= RSS_TARGET_MIB)}`,
    );
    if (MIGRATIONS > 0)
      console.log(
        `  ${MIGRATIONS} sequential migrations: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms  target p99 ≤ 50 ms  ${pct(latencies, 99) <= 50 ? 'PASS' : 'MISS'}`,
      );
    await nc.close();
  } finally {
    await floors?.stop();
    await stack.stop();
  }
}
