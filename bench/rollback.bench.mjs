// A management-cutting PATCH on a 2,000-host switch with 20 hosts cut: each rolls back and reconnects vs its rollbackTimeoutMs floor; the others never disconnect; then a restore through a cloned port.
import { connect } from '@nats-io/transport-node';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { call, pool, startBenchStack, waitTask } from './lib/services.mjs';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 2000);
const CUT = Math.min(HOSTS - 1, Number(process.env.BENCH_CUT ?? 20));
const TIMEOUT_MS = Number(process.env.BENCH_ROLLBACK_TIMEOUT_MS ?? 2000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const verdict = (ok) => (ok ? 'PASS' : 'MISS');

async function until(probe, timeoutMs, what) {
  const t0 = performance.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export default async function rollbackBench() {
  const stack = await startBenchStack();
  try {
    console.log(
      `rollback: ${HOSTS} hosts on one switch, ${CUT} of them cut by a management VLAN change, rollbackTimeoutMs ${TIMEOUT_MS}`,
    );
    const cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '600000' });
    const ha = await stack.startService('host-agent', { HOSTS: String(HOSTS) });
    const hostIds = Array.from({ length: HOSTS }, (_, i) => `host-${i + 1}`);
    while ((await call(cm.url, 'GET', '/hosts')).length < HOSTS) await sleep(200);
    const sw = await call(cm.url, 'POST', '/switches', { name: 'bench-dvs', hostIds, rollbackTimeoutMs: TIMEOUT_MS });
    await waitTask(cm, sw.taskId);
    const mgmt = await call(cm.url, 'POST', `/switches/${sw.id}/port-groups`, { name: 'mgmt', vlanId: 10, management: true });
    await waitTask(cm, mgmt.taskId);
    // The physical ports of the cut hosts carry VLAN 10 only: the change to 20 cuts them off.
    const cut = hostIds.slice(0, CUT);
    const cutSet = new Set(cut);
    await pool(cut, 16, (hostId) => call(ha.url, 'PUT', `/hosts/${hostId}/uplink`, { allowedVlans: [10] }));

    const nc = await connect(await natsOptions(stack.nats));
    const rolledBackAt = new Map();
    const revertApplied = new Set();
    let revertRevision = Infinity;
    let allBackAt = 0;
    let tPatch = 0;
    const sub = nc.subscribe('cm.status.*', {
      callback: (_e, msg) => {
        const s = msg.json();
        if (s.kind !== 'switch' || s.targetId !== sw.id) return;
        if (s.state === 'rolled_back' && !rolledBackAt.has(s.hostId)) rolledBackAt.set(s.hostId, performance.now() - tPatch);
        if (s.state === 'applied' && s.revision >= revertRevision && !revertApplied.has(s.hostId)) {
          revertApplied.add(s.hostId);
          if (revertApplied.size === HOSTS) allBackAt = performance.now() - tPatch;
        }
      },
    });
    // Any host other than the cut ones seen disconnected by the compute manager while this runs.
    const falselyDisconnected = new Set();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const h of await call(cm.url, 'GET', '/hosts'))
          if (h.connectionState !== 'connected' && !cutSet.has(h.hostId)) falselyDisconnected.add(h.hostId);
        await sleep(250);
      }
    })();
    await nc.flush();

    tPatch = performance.now();
    const patched = await call(cm.url, 'PATCH', `/switches/${sw.id}/port-groups/${mgmt.portGroupId}`, { vlanId: 20 });
    revertRevision = patched.revision + 1;
    const task = await waitTask(cm, patched.taskId, 120000);
    await until(() => rolledBackAt.size >= CUT, TIMEOUT_MS + 30000, `${CUT} rollbacks`).catch((err) =>
      console.log(`  ${err.message}`),
    );
    await until(() => allBackAt > 0, 60000, `all ${HOSTS} hosts on the reverted revision`).catch((err) =>
      console.log(`  ${err.message}`),
    );
    const reconnected = await until(
      async () => {
        const views = await Promise.all(cut.map((h) => call(ha.url, 'GET', `/hosts/${h}`)));
        return views.every((v) => v.managementConnected && v.pendingRollback === null) ? performance.now() - tPatch : 0;
      },
      30000,
      'cut hosts connected again',
    ).catch(() => Infinity);
    watching = false;
    await watcher;
    sub.unsubscribe();

    const times = [...rolledBackAt.values()].sort((a, b) => a - b);
    const worst = times.at(-1) ?? Infinity;
    const wrongRollbacks = [...rolledBackAt.keys()].filter((h) => !cutSet.has(h));
    console.log('');
    console.log(
      `  task ${task.state}; ${rolledBackAt.size} hosts reported rolled_back (${wrongRollbacks.length} of them not cut)`,
    );
    console.log(`  floor: rollbackTimeoutMs ${TIMEOUT_MS} ms (no host may give up on a change before it)`);
    console.log(
      `  PATCH → cut host rolled back and reconnected: first ${Math.round(times[0] ?? Infinity)} ms, last ${Math.round(worst)} ms = timeout + ${Math.round(worst - TIMEOUT_MS)} ms  target ≤ timeout + 1000 ms  ${verdict(worst <= TIMEOUT_MS + 1000)}`,
    );
    console.log(`  every cut host's own view connected, nothing pending: ${Math.round(reconnected)} ms`);
    console.log(
      `  every one of the ${HOSTS} hosts applied the reverted state: ${Math.round(allBackAt || Infinity)} ms = timeout + ${Math.round((allBackAt || Infinity) - TIMEOUT_MS)} ms  target ≤ timeout + 2000 ms  ${verdict(allBackAt > 0 && allBackAt <= TIMEOUT_MS + 2000)}`,
    );
    console.log(
      `  hosts not cut but seen disconnected: ${falselyDisconnected.size}  target 0  ${verdict(falselyDisconnected.size === 0 && wrongRollbacks.length === 0)}`,
    );

    // Recovery through a cloned port: a change without the safety net cuts one host for good.
    const victim = cut[0];
    const current = await call(cm.url, 'GET', `/switches/${sw.id}`);
    const noNet = await call(cm.url, 'PATCH', `/switches/${sw.id}/port-groups/${mgmt.portGroupId}?rollback=false`, {
      vlanId: 30,
    });
    await until(async () => !(await call(ha.url, 'GET', `/hosts/${victim}`)).managementConnected, 20000, `${victim} cut`);
    const tRestore = performance.now();
    const { clonePortId } = await call(ha.url, 'POST', `/hosts/${victim}/management/restore`, { vlanId: 10 });
    const repaired = await until(
      async () => {
        const v = await call(ha.url, 'GET', `/hosts/${victim}`);
        const ports = v.computeSwitches.flatMap((s) => s.ports);
        return v.managementConnected && !ports.some((p) => p.id === clonePortId) ? performance.now() - tRestore : 0;
      },
      60000,
      'the original port repaired and the clone removed',
    ).catch(() => Infinity);
    console.log(
      `  management/restore → original port repaired, clone removed: ${Math.round(repaired)} ms (switch at revision ${current.revision} → ${noNet.revision})`,
    );
    await nc.close();
  } finally {
    await stack.stop();
  }
}
