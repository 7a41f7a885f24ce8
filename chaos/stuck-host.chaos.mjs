// One of 2,000 hosts paused (SIGSTOP) for 30 s: the push to the other 1,999 at most 10 % slower; the paused host catches up.
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { cpuMeter, formatCpu } from '../bench/lib/cpu.mjs';
import { appliedReports, switchWithPorts, waitHostsKnown, waitSettled } from '../bench/lib/push.mjs';
import { call, startBenchStack } from '../bench/lib/services.mjs';
import { median } from '../bench/lib/stats.mjs';

/** Hosts on the switch, the paused one included. */
const HOSTS = Number(process.env.CHAOS_HOSTS ?? 2000);
const PORTS_PER_HOST = Number(process.env.CHAOS_PORTS ?? 30);
/** Pushes measured in each phase: running, then each pause followed by running again. */
const ROUNDS = Math.max(1, Number(process.env.CHAOS_ROUNDS ?? 5));
const PAUSES = Math.max(1, Number(process.env.CHAOS_PAUSES ?? 2));
const PAUSE_MS = Number(process.env.CHAOS_PAUSE_MS ?? 30000);
/** Short: a push's proofs are waited out between rounds, and every round of the pause fits in it. */
const ROLLBACK_TIMEOUT_MS = Number(process.env.CHAOS_ROLLBACK_TIMEOUT_MS ?? 2000);
/** Shorter than the pause: tasks of the first pushes during it reach their deadline while the host is stopped. */
const TASK_TIMEOUT_MS = Number(process.env.CHAOS_TASK_TIMEOUT_MS ?? 10000);
const CATCH_UP_LIMIT_MS = 60000;
const MAX_RATIO = 1.1;
const STUCK = `host-${HOSTS}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * What nats-server holds for the paused host (asked through the system account): the bytes pending
 * on its connection (the host agent's connection idle longest), the limits at which the server
 * would slow publishers to it and then cut it, and the slow consumers it counted so far.
 */
async function serverView(sys) {
  const varz = (await sys.request('$SYS.REQ.SERVER.PING.VARZ', '', { timeout: 5000 })).json().data;
  const connz = (await sys.request('$SYS.REQ.SERVER.PING.CONNZ', JSON.stringify({ limit: 4096 }), { timeout: 5000 })).json().data;
  const paused = connz.connections
    .filter((c) => c.name === 'host-agent')
    .sort((a, b) => Date.parse(a.last_activity) - Date.parse(b.last_activity))[0];
  return {
    pendingBytes: paused?.pending_bytes ?? NaN,
    maxPending: varz.max_pending,
    writeDeadline: varz.write_deadline,
    slowConsumers: varz.slow_consumers,
  };
}
const mib = (n) => `${(n / 1048576).toFixed(n < 1048576 ? 3 : 1)} MiB`;

export default async function stuckHost() {
  const stack = await startBenchStack();
  let stuck;
  try {
    console.log(
      `stuck host: ${HOSTS} hosts × ${PORTS_PER_HOST} ports on one switch; ${STUCK} in a process of its own, paused ${PAUSE_MS / 1000} s`,
    );
    const cm = await stack.startService('compute-manager', {
      TASK_TIMEOUT_MS: String(TASK_TIMEOUT_MS),
      MIGRATION_TIMEOUT_MS: '10000',
    });
    const ha = await stack.startService('host-agent', { HOSTS: String(HOSTS - 1) });
    // The paused host: one host agent as on a real hypervisor, with a data directory of its own.
    // As that host on the bus: it mints its own credentials with the hosts' signing key, no union principal.
    stuck = await stack.startService('host-agent', {
      HOST_ID: STUCK,
      VNET_DATA_DIR: join(stack.dir, 'data-stuck'),
      NATS_CREDS: '',
    });
    const hostIds = Array.from({ length: HOSTS }, (_, i) => `host-${i + 1}`);
    const others = hostIds.filter((h) => h !== STUCK);
    const t0 = performance.now();
    await waitHostsKnown(cm, HOSTS);
    console.log(`  ${HOSTS} hosts known to the compute manager after ${Math.round(performance.now() - t0)} ms`);
    const tPorts = performance.now();
    const { sw, pg } = await switchWithPorts(cm, {
      hostIds,
      portsPerHost: PORTS_PER_HOST,
      rollbackTimeoutMs: ROLLBACK_TIMEOUT_MS,
    });
    console.log(`  ${HOSTS * PORTS_PER_HOST} ports attached and realized in ${Math.round(performance.now() - tPorts)} ms`);

    const nc = await connect(await natsOptions(stack.nats));
    const sys = await connect(await natsOptions(stack.nats, 'sys'));
    const meter = cpuMeter([
      { name: 'host-agent', pid: ha.pid },
      { name: 'compute-manager', pid: cm.pid },
      { name: 'nats-server', pid: stack.nats.pid },
      { name: 'postgres', pid: stack.pg.pid, children: true },
    ]);
    const { rest, ms: settleMs } = await waitSettled(meter);
    console.log(`  settled after ${Math.round(settleMs / 1000)} s; at rest, 1 s: ${formatCpu(rest)}`);

    let vlan = 100;
    /** One PATCH; answers the time until every one of the other hosts reported it applied, and its task. */
    const push = async (label) => {
      const reports = appliedReports(nc, sw.id, others);
      const own = appliedReports(nc, sw.id, [STUCK]);
      await reports.flush();
      const current = await call(cm.url, 'GET', `/switches/${sw.id}`);
      reports.expect(current.revision + 1);
      own.expect(current.revision + 1);
      meter.start();
      const tPatch = performance.now();
      const patched = await call(cm.url, 'PATCH', `/switches/${sw.id}/port-groups/${pg.portGroupId}`, { vlanId: vlan++ });
      const all = await reports.whenAll(60000);
      const cpu = meter.stop();
      const ms = all ? reports.lastAt - tPatch : Infinity;
      // The change's proofs are waited out: the next push starts on a quiet stack.
      await sleep(Math.max(0, ROLLBACK_TIMEOUT_MS + 500 - (performance.now() - tPatch)));
      const task = await call(cm.url, 'GET', `/tasks/${patched.taskId}`);
      reports.stop();
      own.stop();
      const succeeded = others.filter((h) => task.hosts[h]?.state === 'succeeded').length;
      console.log(
        `  ${label}: ${all ? `${Math.round(ms)} ms` : `only ${reports.reported.size} of ${others.length} within 60 s`} to the last of the ${others.length} other hosts; ` +
          `${STUCK} ${own.reported.size ? 'applied it' : 'did not report'}; task ${task.state}, others succeeded ${succeeded}/${others.length}, ${STUCK} ${task.hosts[STUCK]?.state}; rolled back: ${reports.rolledBack.size}`,
      );
      console.log(`    ${formatCpu(cpu)}`);
      return {
        ms,
        taskId: patched.taskId,
        revision: current.revision + 1,
        ownApplied: own.reported.size > 0,
        task,
        succeeded,
        rolledBack: reports.rolledBack.size,
      };
    };

    const running = async (phase) => {
      const out = [];
      for (let r = 0; r < ROUNDS; r++) out.push(await push(`running (${phase}), push ${r + 1}`));
      return out;
    };
    /** A pause: the process keeps its connection and sockets, and reads nothing for PAUSE_MS. */
    const pause = async (phase) => {
      process.kill(stuck.pid, 'SIGSTOP');
      const tStop = performance.now();
      console.log(`  SIGSTOP ${STUCK} (pid ${stuck.pid})`);
      const during = [];
      for (let r = 0; r < ROUNDS; r++) during.push(await push(`stopped (${phase}), push ${r + 1}`));
      const lastRevision = during.at(-1).revision;
      const duringTasks = await Promise.all(during.map((p) => call(cm.url, 'GET', `/tasks/${p.taskId}`)));
      const left = PAUSE_MS - (performance.now() - tStop);
      if (left < 0) console.log(`  the pushes took ${Math.round(-left)} ms longer than the pause`);
      await sleep(Math.max(0, left));

      const bus = await serverView(sys);
      console.log(
        `  nats-server, end of the pause: ${mib(bus.pendingBytes)} pending for ${STUCK}'s connection (the server slows publishers to a connection whose pending bytes near max_pending, ${mib(bus.maxPending)}, and cuts it above that or once a write blocked ${bus.writeDeadline / 1e9} s); slow consumers so far: ${bus.slowConsumers}`,
      );
      const catchUp = appliedReports(nc, sw.id, [STUCK]);
      catchUp.expect(lastRevision);
      await catchUp.flush();
      const tCont = performance.now();
      process.kill(stuck.pid, 'SIGCONT');
      console.log(`  SIGCONT ${STUCK} after ${Math.round((tCont - tStop) / 1000)} s`);
      let caughtUp = await catchUp.whenAll(CATCH_UP_LIMIT_MS);
      const catchUpMs = caughtUp ? catchUp.lastAt - tCont : Infinity;
      catchUp.stop();
      // Its own view says so too.
      const view = await call(stuck.url, 'GET', `/hosts/${STUCK}`);
      const runs = view.computeSwitches?.find((s) => s.id === sw.id)?.revision;
      if (runs !== lastRevision) caughtUp = false;
      console.log(
        `  ${STUCK} ${caughtUp ? `reported revision ${lastRevision} applied ${Math.round(catchUpMs)} ms after SIGCONT` : `did not catch up within ${CATCH_UP_LIMIT_MS / 1000} s`}; it runs revision ${runs}`,
      );
      return { during, duringTasks, catchUpMs, caughtUp, pendingBytes: bus.pendingBytes };
    };

    // Running and stopped phases alternate: a machine whose load drifts (2 cores shared) weighs on both alike.
    const normalRounds = [...(await running('1'))];
    const pauses = [];
    for (let i = 1; i <= PAUSES; i++) {
      pauses.push(await pause(String(i)));
      normalRounds.push(...(await running(String(i + 1))));
    }

    // What the tasks of the pushes made during a pause say about the paused host: never succeeded
    // while it was stopped; afterwards, failed at their deadline or succeeded by what it applied on
    // resuming; every other host succeeded.
    const stoppedRounds = pauses.flatMap((p) => p.during);
    const settledTasks = await Promise.all(stoppedRounds.map((p) => call(cm.url, 'GET', `/tasks/${p.taskId}`)));
    const duringTasks = pauses.flatMap((p) => p.duringTasks);
    const honest =
      duringTasks.every((t) => t.hosts[STUCK].state !== 'succeeded') &&
      settledTasks.every((t) => others.every((h) => t.hosts[h].state === 'succeeded') && t.state !== 'running');
    const states = settledTasks.map(
      (t) => `${t.state} (${STUCK} ${t.hosts[STUCK].state}${t.hosts[STUCK].detail ? `: ${t.hosts[STUCK].detail}` : ''})`,
    );
    const caughtUp = pauses.every((p) => p.caughtUp);
    const catchUps = pauses.map((p) => p.catchUpMs);

    const normal = normalRounds.map((p) => p.ms);
    const stopped = stoppedRounds.map((p) => p.ms);
    const mNormal = median(normal);
    const mStopped = median(stopped);
    const ratio = mStopped / mNormal;
    const rollbacks = [...normalRounds, ...stoppedRounds].reduce((n, p) => n + p.rolledBack, 0);
    console.log('');
    console.log(
      `  push to the ${others.length} other hosts, ${STUCK} running: median ${Math.round(mNormal)} ms, max ${Math.round(Math.max(...normal))} ms over ${normal.length}`,
    );
    console.log(
      `  push to the ${others.length} other hosts, ${STUCK} stopped: median ${Math.round(mStopped)} ms, max ${Math.round(Math.max(...stopped))} ms over ${stopped.length}`,
    );
    console.log(
      `  ratio stopped / running: ${ratio.toFixed(2)}  target ≤ ${MAX_RATIO.toFixed(2)}  ${ratio <= MAX_RATIO ? 'PASS' : 'MISS'}`,
    );
    console.log(
      `  ${STUCK} caught up after SIGCONT (${PAUSES} pauses of ${PAUSE_MS / 1000} s): ${catchUps.map((ms) => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'no')).join(', ')}  ${caughtUp ? 'PASS' : 'MISS'}`,
    );
    console.log(`  most nats-server held for the paused connection: ${mib(Math.max(...pauses.map((p) => p.pendingBytes)))}`);
    console.log(
      `  tasks of the pushes during the pauses, while stopped: ${STUCK} ${[...new Set(duringTasks.map((t) => t.hosts[STUCK].state))].join('/')}; after: ${[...new Set(states)].join('; ')}  ${honest ? 'PASS' : 'MISS'}`,
    );
    console.log(`  hosts that rolled a push back: ${rollbacks}`);
    console.log(`  slow consumers nats-server counted: ${(await serverView(sys)).slowConsumers}`);
    await Promise.all([nc.close(), sys.close()]);
    return ratio > MAX_RATIO || !caughtUp || !honest || !Number.isFinite(mStopped) ? 1 : 0;
  } finally {
    // A stopped process cannot act on SIGTERM: let it run again before the stack stops it.
    if (stuck) {
      try {
        process.kill(stuck.pid, 'SIGCONT');
      } catch {
        /* gone already */
      }
    }
    await stack.stop();
  }
}
