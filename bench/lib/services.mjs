// Throw-away servers and real service processes for benchmarks that drive the whole stack.
import { spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPUTE_MANAGER_NODE_ARGS } from '../../scripts/lib/compute-manager-runtime.mjs';
import { HOST_AGENT_ENV, HOST_AGENT_NODE_ARGS } from '../../scripts/lib/host-agent-runtime.mjs';
import {
  ensureServiceRoles,
  freePort,
  grantServiceSchemas,
  removeDir,
  serviceNatsEnv,
  startNats,
  startNatsCluster,
  startPostgres,
  stopChild,
} from '../../scripts/lib/stack.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TOKEN = 'bench-admin-token';
const PORT_VAR = {
  'network-manager': 'NETWORK_MANAGER_PORT',
  'compute-manager': 'COMPUTE_MANAGER_PORT',
  'host-agent': 'HOST_AGENT_PORT',
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * NATS and PostgreSQL in a temp dir, and a launcher of the real services against them. With
 * BENCH_LOG_DIR set, nats-server's log and each service's output are kept there;
 * BENCH_NODE_ARGS_<SERVICE> (e.g. BENCH_NODE_ARGS_HOST_AGENT="--cpu-prof --cpu-prof-dir=/tmp/p") adds
 * node options to that service; BENCH_UV_THREADPOOL_SIZE sizes the host agent's libuv pool (by default, the host agent starts
 * as scripts/lib/host-agent-runtime.mjs says).
 *
 * With `natsCluster: N`, NATS is a cluster of N nodes (startNatsCluster; `nats` is the cluster, with
 * `kill(node)` and `startNode(node)`), and the services run with NATS_REPLICAS=N and every node's URL.
 * `pgSettings` are PostgreSQL settings (`-c name=value`) on top of the stack's own.
 */
export async function startBenchStack({ natsCluster = 0, pgSettings = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vnet-bench-stack-'));
  chmodSync(dir, 0o755);
  const logDir = process.env.BENCH_LOG_DIR;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const natsLog = logDir ? openSync(join(logDir, 'nats-server.log'), 'w') : 'ignore';
  let [nats, pg] = await Promise.all([
    natsCluster
      ? startNatsCluster({ dir: join(dir, 'nats'), size: natsCluster, log: natsLog })
      : startNats({ dir: join(dir, 'nats'), log: natsLog }),
    startPostgres({ dir: join(dir, 'postgres'), settings: pgSettings }),
  ]);
  // Each manager as its own role, owning only its schema, as npm start runs them.
  const databaseUrls = await grantServiceSchemas(pg.url, 'vnet', await ensureServiceRoles(pg.url, join(dir, 'postgres')));
  const services = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(services.map((s) => s.stop()));
    await Promise.all([nats?.stop(), pg?.stop()]);
    removeDir(dir);
  };
  // Outages (chaos scenarios): a server stops, and comes back on the same port with the same data.
  const servers = {
    stopNats: async () => {
      const was = nats;
      nats = null;
      await was?.stop();
      return was;
    },
    startNats: async (port) => {
      // A cluster's nodes go down and come back one by one: `nats.kill(node)`, `nats.startNode(node)`.
      if (natsCluster) throw new Error('startNats is for a single server; a cluster node starts again with nats.startNode');
      return (nats = await startNats({ dir: join(dir, 'nats'), port, log: natsLog }));
    },
    /** kill -9 of nats-server: no shutdown at all; `startNats(was.port)` brings it back on the same data. */
    killNats: async () => {
      const was = nats;
      nats = null;
      if (was) await stopChild(was.child, 'SIGKILL', 1000);
      return was;
    },
    stopPostgres: async () => {
      const was = pg;
      pg = null;
      await was?.stop();
      return was;
    },
    startPostgres: async (port) => (pg = await startPostgres({ dir: join(dir, 'postgres'), port, settings: pgSettings })),
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop().finally(() => process.exit(130)));

  async function startService(name, env = {}) {
    const port = await freePort();
    let child = await launch(name, env, port, 'w');
    const service = {
      name,
      url: `http://127.0.0.1:${port}`,
      port,
      get pid() {
        return child.pid;
      },
      /** Peak resident set size so far (VmHWM), in MiB. */
      peakRssMiB: () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024,
      rssMiB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024,
      // A child that died of a signal has no exit code but a signal code: stopChild knows both.
      stop: () => stopChild(child, 'SIGTERM', 10000),
      /** SIGKILL (kill -9): the process gets no chance to clean up. */
      kill: () => stopChild(child, 'SIGKILL', 1000),
      /** Starts the service again (after `kill` or `stop`) on the same port, environment and data, and waits until it is healthy. */
      restart: async () => {
        await stopChild(child, 'SIGTERM', 10000);
        child = await launch(name, env, port, 'a');
      },
    };
    services.push(service);
    return service;
  }

  /** `logFlags`: 'w' starts the service's log afresh, 'a' (a restart) appends to it. */
  async function launch(name, env, port, logFlags) {
    const nodeArgs = [
      ...(name === 'host-agent' ? HOST_AGENT_NODE_ARGS : name === 'compute-manager' ? COMPUTE_MANAGER_NODE_ARGS : []),
      ...(process.env[`BENCH_NODE_ARGS_${name.replace(/-/g, '_').toUpperCase()}`]?.split(' ').filter(Boolean) ?? []),
    ];
    const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'apps', name, 'dist', 'main.js')], {
      cwd: ROOT,
      stdio: ['ignore', logDir ? 'pipe' : 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH,
        ADMIN_TOKEN: TOKEN,
        NATS_URL: nats.url,
        ...serviceNatsEnv(nats, name),
        ...(natsCluster ? { NATS_REPLICAS: String(natsCluster) } : {}),
        DATABASE_URL: databaseUrls[name] ?? pg.url,
        VNET_DATA_DIR: join(dir, 'data'),
        LOG_LEVEL: 'warn',
        HOSTS: '0',
        ...(name === 'host-agent'
          ? {
              ...HOST_AGENT_ENV,
              ...(process.env.BENCH_UV_THREADPOOL_SIZE ? { UV_THREADPOOL_SIZE: process.env.BENCH_UV_THREADPOOL_SIZE } : {}),
            }
          : {}),
        [PORT_VAR[name]]: String(port),
        ...env,
      },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-100000)));
    if (logDir) {
      const log = createWriteStream(join(logDir, `${name}.log`), { flags: logFlags });
      child.stdout.pipe(log);
      child.stderr.pipe(log);
    }
    const url = `http://127.0.0.1:${port}`;
    const t0 = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr.slice(-2000)}`);
      const ok = await fetch(`${url}/health`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (Date.now() - t0 > 120000) {
        await stopChild(child, 'SIGKILL', 1000);
        throw new Error(`${name} not healthy: ${stderr.slice(-2000)}`);
      }
      await sleep(100);
    }
    return child;
  }

  return {
    dir,
    get nats() {
      return nats;
    },
    get pg() {
      return pg;
    },
    ...servers,
    startService,
    stop,
  };
}

/** JSON over HTTP with the admin token. */
export async function call(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/**
 * The task once it no longer runs, polled every `intervalMs` (a benchmark that times what a client
 * sees polls closely); throws after `timeoutMs`.
 */
export async function waitTask(cm, taskId, timeoutMs = 300000, intervalMs = 100) {
  const t0 = Date.now();
  for (;;) {
    // A 503 (a dependency not reached in time, on a loaded machine) is polled through like a running task.
    const t = await call(cm.url, 'GET', `/tasks/${taskId}`).catch((err) => {
      if (/: 503 /.test(err.message)) return { state: 'running' };
      throw err;
    });
    if (t.state !== 'running') return t;
    if (Date.now() - t0 > timeoutMs) throw new Error(`task ${taskId} still running`);
    await sleep(intervalMs);
  }
}

/** Runs `fn` over `items` with at most `concurrency` at a time. */
export async function pool(items, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}
