// 2,000 simulated hosts × 30 ports on one switch: PATCH of a port group → last host's applied report, vs a raw NATS fan-out; 1,000 sequential migrations.
import { connect } from '@nats-io/transport-node';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { cpuMeter, formatCpu } from './lib/cpu.mjs';
import { rawFanOut } from './lib/fan-out.mjs';
import { appliedReports, switchWithPorts, waitHostsKnown, waitSettled, waitTask } from './lib/push.mjs';
import { call, startBenchStack } from './lib/services.mjs';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 2000);
const PORTS_PER_HOST = Number(process.env.BENCH_PORTS ?? 30);
const MIGRATIONS = Number(process.env.BENCH_MIGRATIONS ?? 1000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const ROLLBACK_TIMEOUT_MS = Number(process.env.BENCH_ROLLBACK_TIMEOUT_MS ?? 5000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export default async function pushBench() {
  const stack = await startBenchStack();
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
      meter.start();
      const tPatch = performance.now();
      const patched = await call(cm.url, 'PATCH', `/switches/${sw.id}/port-groups/${pg.portGroupId}`, { vlanId: vlan });
      const task = await waitTask(cm, patched.taskId, 60000).catch(() => ({ state: 'still running after 60 s' }));
      const tTask = performance.now();
      await reports.whenAll(Math.max(0, 60000 - (performance.now() - tPatch)));
      const cpu = meter.stop();
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
        `  round ${round + 1}: last host's applied report ${Math.round(lastAt - tPatch)} ms after the PATCH (final state in the bucket at ${at(putAt)}, first host's report at ${at(firstAt)}); task ${task.state} seen at ${Math.round(tTask - tPatch)} ms`,
      );
      console.log(`    ${formatCpu(cpu)}`);
      console.log(`    hosts that rolled the push back (rollback on, no link cut): ${rolledBack.size}`);
    }
    const median = results.map((r) => r.lastReport).sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
    const desired = JSON.stringify(await call(cm.url, 'GET', `/switches/${sw.id}`));
    const baseline = await rawFanOut(stack.nats, { subscribers: HOSTS, payloads: [desired], rounds: 5 });
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

    console.log('');
    console.log(
      `  push, PATCH → last host's applied report: ${Math.round(median)} ms (median of ${ROUNDS})  target ≤ 400 ms  ${median <= 400 ? 'PASS' : 'MISS'}`,
    );
    console.log(`  baseline, raw NATS fan-out of the same payload to ${HOSTS} subscribers: ${baseline.toFixed(1)} ms`);
    console.log(
      `  ratio ours / raw fan-out: ${(median / baseline).toFixed(2)}×  target ≤ 3×  ${median / baseline <= 3 ? 'PASS' : 'MISS'}`,
    );
    const rollbacks = results.reduce((n, r) => n + (r.rolledBack ?? 0), 0);
    console.log(
      `  rollbacks over ${ROUNDS} pushes with the safety net on: ${rollbacks}  target 0  ${rollbacks === 0 ? 'PASS' : 'MISS'}`,
    );
    console.log(`  host agent peak RSS: ${Math.round(rss)} MiB  target ≤ 1024 MiB  ${rss <= 1024 ? 'PASS' : 'MISS'}`);
    if (MIGRATIONS > 0)
      console.log(
        `  ${MIGRATIONS} sequential migrations: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms  target p99 ≤ 50 ms  ${pct(latencies, 99) <= 50 ? 'PASS' : 'MISS'}`,
      );
    await nc.close();
  } finally {
    await stack.stop();
  }
}
