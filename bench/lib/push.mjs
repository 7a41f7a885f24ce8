// A switch with ports on many simulated hosts, and the hosts' applied reports of a push to it: shared by the push benchmark and the stuck-host scenario.
import { call, pool, waitTask } from './services.mjs';

export { waitTask };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once the compute manager knows `count` hosts. */
export async function waitHostsKnown(cm, count, timeoutMs = 300000) {
  const t0 = Date.now();
  while ((await call(cm.url, 'GET', '/hosts')).length < count) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`fewer than ${count} hosts known after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * A call of the setup, tried again while the compute manager answers 503 (a dependency it could not
 * reach in time, as on a loaded machine): nothing was done, and the setup is not what is measured.
 */
async function setupCall(cm, method, path, body) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(cm.url, method, path, body);
    } catch (err) {
      if (attempt >= 10 || !/: 503 /.test(err.message)) throw err;
      await sleep(500 * attempt);
    }
  }
}

/**
 * One switch on `hostIds` with two port groups (`web`, `db`) and `portsPerHost` DCN ports per host
 * in `web`, attached by `clients` concurrent clients (each host's one after the other), every host's
 * last task waited for. Answers `{ sw, pg, other, attaches }` (the switch, `web`'s and `db`'s creation
 * answers; the attaches' wall time `ms` until the last answer, `doneMs` until every task was done, and
 * each attach's latency).
 */
export async function switchWithPorts(cm, { hostIds, portsPerHost, rollbackTimeoutMs, name = 'bench-dvs', clients = 16 }) {
  const sw = await call(cm.url, 'POST', '/switches', { name, hostIds, rollbackTimeoutMs });
  await waitTask(cm, sw.taskId);
  const pg = await call(cm.url, 'POST', `/switches/${sw.id}/port-groups`, { name: 'web', vlanId: 10 });
  await waitTask(cm, pg.taskId);
  const other = await call(cm.url, 'POST', `/switches/${sw.id}/port-groups`, { name: 'db', vlanId: 11 });
  await waitTask(cm, other.taskId);
  // Each host's attaches one after the other, CLIENTS hosts at once; its last task waited for after all.
  const latencies = [];
  const lastTasks = [];
  const t0 = performance.now();
  await pool(portsPerHost > 0 ? hostIds : [], clients, async (hostId) => {
    const dcn = await setupCall(cm, 'POST', '/dcns', { name: `vm-${hostId}`, hostId });
    let last;
    for (let p = 0; p < portsPerHost; p++) {
      const t = performance.now();
      last = await setupCall(cm, 'POST', `/dcns/${dcn.id}/nics`, { portGroupId: pg.portGroupId });
      latencies.push(performance.now() - t);
    }
    lastTasks.push(last.taskId);
  });
  const ms = performance.now() - t0;
  await pool(lastTasks, clients, (taskId) => waitTask(cm, taskId));
  const attaches = { ms, doneMs: performance.now() - t0, latencies };
  return { sw, pg, other, attaches };
}

/**
 * Watches hosts' statuses (`cm.status.*`, on an admin connection `nc`) for `switchId`: which of
 * `hostIds` reported it applied at `expect(revision)` or later, when the first and the last of them
 * did, and which hosts rolled a change back. `whenAll(timeoutMs)` resolves true once every one of
 * `hostIds` reported, false after the timeout. Call `flush()` before the change it measures.
 */
export function appliedReports(nc, switchId, hostIds) {
  const wanted = new Set(hostIds);
  const reported = new Set();
  const rolledBack = new Set();
  let expectRevision = Infinity;
  let firstAt = 0;
  let lastAt = 0;
  let all;
  const allReported = new Promise((resolve) => (all = resolve));
  const sub = nc.subscribe('cm.status.*', {
    callback: (_e, msg) => {
      const s = msg.json();
      if (s.state === 'rolled_back') rolledBack.add(s.hostId);
      if (s.kind !== 'switch' || s.targetId !== switchId || s.state !== 'applied' || s.revision < expectRevision) return;
      if (!wanted.has(s.hostId) || reported.has(s.hostId)) return;
      reported.add(s.hostId);
      if (reported.size === 1) firstAt = performance.now();
      if (reported.size === wanted.size) {
        lastAt = performance.now();
        all(true);
      }
    },
  });
  return {
    reported,
    rolledBack,
    get firstAt() {
      return firstAt;
    },
    get lastAt() {
      return lastAt;
    },
    expect(revision) {
      expectRevision = revision;
    },
    flush: () => nc.flush(),
    whenAll(timeoutMs) {
      let timer;
      return Promise.race([allReported, new Promise((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]).finally(
        () => clearTimeout(timer),
      );
    },
    stop: () => sub.unsubscribe(),
  };
}

/**
 * CPU ms per second of the compute manager and PostgreSQL together under which the stack counts as
 * settled (at rest, answering 2,000 hosts' heartbeats, they spend 10–50).
 */
export const SETTLED_CPU_MS = 80;

/**
 * Waits, one second at a time, until the compute manager and PostgreSQL (named so in `meter`, a
 * cpuMeter) spend at most SETTLED_CPU_MS in a second, or `timeoutMs` passed: a setup's attaches leave
 * the managers work to finish, and a push is measured on a settled stack. Answers the last second's
 * CPU and how long it took.
 */
export async function waitSettled(meter, timeoutMs = 300000) {
  const t0 = performance.now();
  for (;;) {
    meter.start();
    await sleep(1000);
    const rest = meter.stop();
    if (rest['compute-manager'] + rest.postgres <= SETTLED_CPU_MS || performance.now() - t0 > timeoutMs)
      return { rest, ms: performance.now() - t0 };
  }
}
