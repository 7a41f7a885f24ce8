// `npm start`: builds what is stale, starts NATS (JetStream) and PostgreSQL under VNET_DATA_DIR (unless
// NATS_URL / DATABASE_URL name existing ones), then the three services; stays in the foreground and
// stops everything on Ctrl-C, SIGTERM or SIGHUP. See README.md for the environment it honours.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { removeServicesFile, writeServicesFile } from './lib/endpoints.mjs';
import { COMPUTE_MANAGER_NODE_ARGS } from './lib/compute-manager-runtime.mjs';
import { HOST_AGENT_ENV, HOST_AGENT_NODE_ARGS } from './lib/host-agent-runtime.mjs';
import { PidFile, stopChild, stopRecorded } from './lib/processes.mjs';
import { ensureServiceRoles, freePort, grantServiceSchemas, isPortFree, serviceNatsEnv, startNats, startPostgres } from './lib/stack.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;

const SERVICES = [
  { name: 'network-manager', portVar: 'NETWORK_MANAGER_PORT', defaultPort: 7101, entry: 'apps/network-manager/dist/main.js' },
  {
    name: 'compute-manager',
    portVar: 'COMPUTE_MANAGER_PORT',
    defaultPort: 7102,
    entry: 'apps/compute-manager/dist/main.js',
    nodeArgs: COMPUTE_MANAGER_NODE_ARGS,
  },
  {
    name: 'host-agent',
    portVar: 'HOST_AGENT_PORT',
    defaultPort: 7103,
    entry: 'apps/host-agent/dist/main.js',
    env: HOST_AGENT_ENV,
    nodeArgs: HOST_AGENT_NODE_ARGS,
  },
];
const SERVICE_GRACE_MS = 5000;
const SERVER_GRACE_MS = 6000;
// Ctrl-C must have everything down within 15 s, whatever hangs.
const SHUTDOWN_DEADLINE_MS = 14000;
const LOG_ROTATE_BYTES = 20 * 1024 * 1024;

const dataDir = resolve(root, env.VNET_DATA_DIR || '.vnet');
const logsDir = join(dataDir, 'logs');
const bindAddress = env.BIND_ADDRESS || '127.0.0.1';
// Named credentials: the file the operator names (it must exist), else the data directory's when present.
const tokensFile = env.ADMIN_TOKENS_FILE ? resolve(root, env.ADMIN_TOKENS_FILE) : join(dataDir, 'tokens.json');
const pids = new PidFile(join(dataDir, 'supervisor.pid'), join(dataDir, 'pids.json'));

const NAME_WIDTH = Math.max(...SERVICES.map((s) => s.name.length));
const out = (name, line) => process.stdout.write(`${name.padEnd(NAME_WIDTH)} | ${line}\n`);
const say = (line) => out('vnet', line);
const sayErr = (line) => process.stderr.write(`${'vnet'.padEnd(NAME_WIDTH)} | ${line}\n`);
// A reader that went away (a closed pipe) must not take the supervisor down with it.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const children = []; // {name, child, kind: 'service'|'server'|'tool', sig, group}
const logsWritten = []; // one promise per service: its log file has everything it printed
let stopping = false;
let claimed = false; // the pid files are ours to remove only once we wrote them

// ---------------------------------------------------------------------------------------------- start

process.on('SIGINT', () => shutdown(0, 'SIGINT'));
process.on('SIGTERM', () => shutdown(0, 'SIGTERM'));
process.on('SIGHUP', () => shutdown(0, 'SIGHUP'));
// `npm start` runs us under `sh -c`, and npm forwards a SIGTERM only to that shell, which dies of it
// and leaves us orphaned: being re-parented means whoever started us is gone, so stop as for SIGTERM.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) shutdown(0, 'parent process exited');
}, 200).unref();

main().catch((err) => {
  // A Ctrl-C also reaches a step running in our process group (the build, initdb), which then fails:
  // give the signal, already queued, the chance to be seen first, so that it counts as a stop.
  setTimeout(() => {
    if (stopping) return;
    sayErr(`start failed: ${err?.message ?? err}`);
    shutdown(1);
  }, 100);
});

async function main() {
  mkdirSync(logsDir, { recursive: true, mode: 0o700 });
  await takeOverDataDir();
  const adminToken = adminTokenFor();
  const ports = servicePorts();
  await checkServicePortsFree(ports);

  await build();
  if (stopping) return;

  const localNats = env.NATS_URL ? null : await startLocalNats();
  if (stopping) return;
  const natsUrl = env.NATS_URL || localNats.url;
  const databaseUrls = env.DATABASE_URL ? externalDatabaseUrls() : await startLocalPostgres();
  if (stopping) return;
  const databaseUrl = databaseUrls['network-manager'];

  const serviceEnv = {
    ...env,
    NATS_URL: natsUrl,
    ADMIN_TOKEN: adminToken,
    ...(env.ADMIN_TOKENS_FILE ? { ADMIN_TOKENS_FILE: tokensFile } : {}),
    BIND_ADDRESS: bindAddress,
    VNET_DATA_DIR: dataDir,
    HOSTS: env.HOSTS || '4',
    ...Object.fromEntries(SERVICES.map((s) => [s.portVar, String(ports[s.name])])),
  };
  for (const svc of SERVICES) {
    startService(svc, {
      ...serviceEnv,
      ...natsIdentity(svc.name, localNats?.auth),
      ...(databaseUrls[svc.name] ? { DATABASE_URL: databaseUrls[svc.name] } : {}),
    });
  }

  await waitHealthy(ports);
  if (stopping) return;
  // Where tools that drive the stack from outside find it (scripts/lib/endpoints.mjs, `npm run demo`).
  writeServicesFile(dataDir, Object.fromEntries(SERVICES.map((s) => [s.name, publicUrl(ports[s.name])])));
  banner(ports, adminToken, natsUrl, databaseUrl);
}

/**
 * Each service's NATS principal: with the local server, its own `.creds` and, for the host agent,
 * the scoped key that mints its hosts' credentials, for the compute manager what publishes
 * revocations; with NATS_URL, `NATS_CREDS_<SERVICE>` or else `NATS_CREDS` (README, "Security of the bus").
 */
function natsIdentity(name, auth) {
  const perService = `NATS_CREDS_${name.replace(/-/g, '_').toUpperCase()}`;
  if (!auth) {
    const creds = env[perService] || env.NATS_CREDS;
    return creds ? { NATS_CREDS: resolve(root, creds) } : {};
  }
  return serviceNatsEnv({ auth }, name);
}

/** With DATABASE_URL: `DATABASE_URL_<SERVICE>` for a manager that has a role of its own, else DATABASE_URL. */
function externalDatabaseUrls() {
  return Object.fromEntries(
    ['network-manager', 'compute-manager'].map((name) => [name, env[`DATABASE_URL_${name.replace(/-/g, '_').toUpperCase()}`] || env.DATABASE_URL]),
  );
}

/** Refuses a data directory in use; stops what a supervisor that died without cleaning up left running. */
async function takeOverDataDir() {
  const running = pids.runningSupervisor();
  if (running) throw new Error(`another npm start (pid ${running.pid}) is running on ${dataDir}`);
  const left = pids.leftovers();
  if (left.length) {
    say(
      `stopping ${left.length} process(es) left running by an earlier start: ${left.map((l) => `${l.name} (${l.pid})`).join(', ')}`,
    );
    // Services first, then the servers they use; the servers of one rank together.
    for (const order of [...new Set(left.map((l) => l.order ?? 0))]) {
      await Promise.all(left.filter((l) => (l.order ?? 0) === order).map((l) => stopRecorded(l, { graceMs: SERVER_GRACE_MS })));
    }
  }
  pids.claim();
  claimed = true;
}

function adminTokenFor() {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

function servicePorts() {
  const ports = {};
  for (const s of SERVICES) {
    const raw = env[s.portVar] || String(s.defaultPort);
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${s.portVar}=${raw} is not a TCP port`);
    ports[s.name] = port;
  }
  return ports;
}

async function checkServicePortsFree(ports) {
  for (const s of SERVICES) {
    const free = await new Promise((r) => {
      const srv = createServer();
      srv.once('error', () => r(false));
      srv.listen(ports[s.name], bindAddress, () => srv.close(() => r(true)));
    });
    if (!free) throw new Error(`${bindAddress}:${ports[s.name]} is already in use (set ${s.portVar} to another port)`);
  }
}

// ---------------------------------------------------------------------------------------------- build

/**
 * `tsc -b` is incremental: with nothing to do it only compares timestamps (about 0.3 s through npm),
 * so it always runs and decides itself what is stale.
 */
async function build() {
  say('building (npm run build) ...');
  const child = spawn('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  track('build', child, 'tool');
  const code = await new Promise((r) => child.once('exit', (c, s) => r(c ?? s)));
  untrack(child);
  if (stopping) return;
  if (code !== 0) throw new Error(`npm run build failed (${code})`);
  const missing = SERVICES.filter((s) => !existsSync(join(root, s.entry)));
  if (missing.length) throw new Error(`the build did not produce ${missing.map((s) => s.entry).join(', ')}`);
}

// ---------------------------------------------------------------------------------------------- servers

function logFile(name) {
  const path = join(logsDir, `${name}.log`);
  try {
    if (statSync(path).size > LOG_ROTATE_BYTES) renameSync(path, `${path}.1`);
  } catch {
    /* no log yet */
  }
  return path;
}

/** Ports of the local servers are chosen once and kept in ports.json; a port taken since is replaced. */
async function serverPort(key) {
  const file = join(dataDir, 'ports.json');
  let saved = {};
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* first start */
  }
  let port = saved[key];
  if (!Number.isInteger(port) || !(await isPortFree(port))) {
    if (port) say(`port ${port} of ${key} is taken now; choosing another`);
    port = await freePort();
    writeFileSync(file, `${JSON.stringify({ ...saved, [key]: port }, null, 2)}\n`);
  }
  return port;
}

async function startLocalNats() {
  const port = await serverPort('nats');
  const fd = openSync(logFile('nats'), 'a');
  try {
    say(`starting NATS on 127.0.0.1:${port} (log: ${join(logsDir, 'nats.log')})`);
    const nats = await startNats({
      dir: join(dataDir, 'nats'),
      port,
      log: fd,
      onSpawn: (child) => track('nats-server', child, 'server', { sig: 'SIGTERM', order: 1 }),
    });
    return nats;
  } finally {
    closeSync(fd);
  }
}

async function startLocalPostgres() {
  const port = await serverPort('postgres');
  const fd = openSync(logFile('postgres'), 'a');
  try {
    say(`starting PostgreSQL on 127.0.0.1:${port} (log: ${join(logsDir, 'postgres.log')})`);
    const pg = await startPostgres({
      dir: join(dataDir, 'postgres'),
      port,
      database: 'vnet',
      log: fd,
      // SIGINT is PostgreSQL's fast shutdown; only the postmaster is signalled, it stops its workers.
      onSpawn: (child) => track('postgres', child, 'server', { sig: 'SIGINT', group: false, order: 1 }),
    });
    // Each manager connects as its own role, owning only its schema.
    const roles = await ensureServiceRoles(pg.url, join(dataDir, 'postgres'));
    return grantServiceSchemas(pg.url, 'vnet', roles);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------- services

function startService(svc, serviceEnv) {
  const child = spawn(process.execPath, ['--enable-source-maps', ...(svc.nodeArgs ?? []), svc.entry], {
    cwd: root,
    env: { ...(svc.env ?? {}), ...serviceEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  track(svc.name, child, 'service', { sig: 'SIGTERM', order: 0 });
  const logStream = createWriteStream(logFile(svc.name), { flags: 'a' });
  logStream.on('error', () => {});
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      out(svc.name, line);
      logStream.write(`${line}\n`);
    });
  }
  // 'close' comes after the last output was read ('exit' may come before).
  child.once('close', () => logStream.end());
  logsWritten.push(new Promise((r) => logStream.once('close', r)));
}

function healthUrl(port) {
  const host = ['0.0.0.0', '::', ''].includes(bindAddress) ? '127.0.0.1' : bindAddress;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/health`;
}

function publicUrl(port) {
  return healthUrl(port).replace(/\/health$/, '');
}

async function waitHealthy(ports) {
  const pending = new Set(SERVICES.map((s) => s.name));
  const t0 = Date.now();
  let lastNote = t0;
  while (pending.size && !stopping) {
    await Promise.all(
      [...pending].map(async (name) => {
        try {
          const res = await fetch(healthUrl(ports[name]), { signal: AbortSignal.timeout(2000) });
          await res.body?.cancel();
          if (res.status === 200) pending.delete(name);
        } catch {
          /* not listening yet */
        }
      }),
    );
    if (!pending.size || stopping) break;
    if (Date.now() - lastNote > 15000) {
      lastNote = Date.now();
      say(`waiting for ${[...pending].join(', ')} to answer /health (${Math.round((lastNote - t0) / 1000)} s)`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function banner(ports, adminToken, natsUrl, databaseUrl) {
  const lines = [
    '',
    'vnet is running',
    ...SERVICES.map(
      (s) => `  ${s.name.padEnd(NAME_WIDTH)}  ${publicUrl(ports[s.name])}   (API docs: ${publicUrl(ports[s.name])}/docs)`,
    ),
    '',
    `  admin token      ${adminToken}`,
    `                   ${env.ADMIN_TOKEN ? 'from ADMIN_TOKEN' : `kept in ${join(dataDir, 'admin-token')}`}; send it as "Authorization: Bearer <token>"`,
    `  topology page    ${publicUrl(ports['compute-manager'])}/ui (sign in with a token)`,
    `  credentials      ${tokensFile}${existsSync(tokensFile) ? '' : ' (absent: write [{name, token, role}] there to add admins and viewers)'}`,
    `  hosts            ${env.HOSTS || '4'} simulated (host-1 ...)`,
    `  NATS             ${natsUrl}${env.NATS_URL ? ' (external)' : ''}`,
    `  PostgreSQL       ${databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}${env.DATABASE_URL ? ' (external)' : ' (each manager its own role)'}`,
    `  NATS auth        ${env.NATS_URL ? (env.NATS_CREDS ? 'credentials from NATS_CREDS' : 'as NATS_URL allows') : `operator mode, credentials under ${join(dataDir, 'nats', 'auth')}; hosts' in ${join(dataDir, 'hosts', '<hostId>', 'nats.creds')}`}`,
    `  data and logs    ${dataDir}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------- stop

function track(name, child, kind, { sig = 'SIGTERM', group = true, order = 0 } = {}) {
  const entry = { name, child, kind, sig, group };
  children.push(entry);
  if (kind !== 'tool' && child.pid) pids.add(name, child, { sig, group, order });
  child.once('error', (err) => {
    if (!stopping) {
      sayErr(`${name} could not be started: ${err.message}`);
      shutdown(1);
    }
  });
  child.once('exit', (code, sig) => {
    if (stopping || kind === 'tool') return;
    const log = join(logsDir, `${name === 'nats-server' ? 'nats' : name}.log`);
    sayErr(`${name} exited unexpectedly (${code !== null ? `exit code ${code}` : sig}; log: ${log}); stopping everything`);
    shutdown(1);
  });
}

function untrack(child) {
  const i = children.findIndex((c) => c.child === child);
  if (i >= 0) children.splice(i, 1);
}

async function shutdown(code, why) {
  if (stopping) return; // a second Ctrl-C, or SIGTERM after SIGINT, changes nothing
  stopping = true;
  const quiet = children.length === 0;
  if (!quiet) say(`${why ? `${why}: ` : ''}stopping ...`);
  const deadline = setTimeout(() => {
    sayErr('could not stop everything in time; killing what is left');
    for (const { child } of children) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    process.exit(code || 1);
  }, SHUTDOWN_DEADLINE_MS);

  const of = (kind) => children.filter((c) => c.kind === kind);
  await Promise.all(of('tool').map(({ child }) => stopChild(child, { graceMs: 2000, group: false, sweep: false })));
  await Promise.all(of('service').map(({ child, sig }) => stopChild(child, { sig, graceMs: SERVICE_GRACE_MS })));
  await Promise.all(of('server').map(({ child, sig, group }) => stopChild(child, { sig, group, graceMs: SERVER_GRACE_MS })));
  await Promise.race([Promise.all(logsWritten), new Promise((r) => setTimeout(r, 1000))]);
  if (claimed) {
    removeServicesFile(dataDir);
    pids.release();
  }
  clearTimeout(deadline);
  if (!quiet) say('stopped');
  process.exit(code);
}
