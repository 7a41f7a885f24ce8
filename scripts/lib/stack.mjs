// Local NATS (JetStream) and PostgreSQL servers, started from the machine's binaries into a
// directory of our own, on loopback. Used by `npm start` (persistent, under VNET_DATA_DIR) and by
// the test harness and benchmarks (throw-away, in temp dirs, on free ports).
import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, chownSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { findNatsServer, findPostgresBin } from './binaries.mjs';
import { ensureNatsAuth, inboxPrefixFor, serverConfig } from './nats-auth.mjs';

export { findNatsServer, findPostgresBin };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function isPortFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function waitForPort(port, child, what, timeoutMs = 60000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited during start (code ${child.exitCode ?? child.signalCode})`);
    }
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Stops a child: sends `signal`, then SIGKILL after `graceMs`. */
export async function stopChild(child, signal, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    child.kill(signal);
  } catch {
    /* already gone */
  }
  const timer = setTimeout(() => {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts nats-server with JetStream, storing under `dir`. The process belongs to its own
 * process group so that a terminal's Ctrl-C reaches only the supervisor, which stops it last.
 * `onSpawn(child)` is called as soon as the process exists, so that a caller interrupted while
 * the server is still starting can stop it.
 */
export async function startNats({ dir, port, log = 'ignore', detached = true, onSpawn }) {
  const bin = findNatsServer();
  if (!bin) throw new Error('nats-server is not installed (Debian package "nats-server")');
  mkdirSync(dir, { recursive: true });
  port ??= await freePort();
  // Authentication is always on: operator mode, the trust chain and every principal's creds under dir/auth.
  const auth = await ensureNatsAuth(dir);
  const config = join(dir, 'nats-server.conf');
  writeFileSync(config, serverConfig(auth, { resolverDir: join(dir, 'resolver') }), { mode: 0o600 });
  const args = ['-c', config, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'jetstream'), '--server_name', `vnet-${port}`];
  const child = spawn(bin, args, { stdio: ['ignore', log, log], detached });
  onSpawn?.(child);
  await waitForPort(port, child, 'nats-server');
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    child,
    auth,
    stop: (graceMs = 10000) => stopChild(child, 'SIGTERM', graceMs),
  };
}

/**
 * A cluster of `size` nats-server nodes (default 3) on loopback, with the same operator-mode
 * authentication as startNats: one trust chain under `dir/auth`, and per node its own
 * configuration, JetStream store and resolver directory under `dir/<name>`. Nodes are `vnet-c1`,
 * `vnet-c2`, ... (JetStream clustering needs unique server names), routed to one another on ports
 * of their own. Answers once every node listens and JetStream answers (a meta leader is elected).
 * `url` is every node's URL, comma-separated (what NATS_URL takes); `kill(name)`, `stopNode(name)`
 * and `startNode(name)` take one node down (SIGKILL or SIGTERM) and bring it back on the same
 * ports and data.
 */
export async function startNatsCluster({ dir, size = 3, log = 'ignore', detached = true, onSpawn }) {
  const bin = findNatsServer();
  if (!bin) throw new Error('nats-server is not installed (Debian package "nats-server")');
  mkdirSync(dir, { recursive: true });
  const auth = await ensureNatsAuth(dir, { resolverDir: join(dir, 'vnet-c1', 'resolver') });
  const nodes = [];
  for (let i = 1; i <= size; i++) {
    nodes.push({ name: `vnet-c${i}`, dir: join(dir, `vnet-c${i}`), port: await freePort(), routePort: await freePort(), child: null });
  }
  const q = (x) => JSON.stringify(x);
  for (const node of nodes) {
    mkdirSync(node.dir, { recursive: true });
    const routes = nodes.filter((n) => n !== node).map((n) => q(`nats-route://127.0.0.1:${n.routePort}`));
    const conf = [
      `server_name: ${q(node.name)}`,
      `host: "127.0.0.1"`,
      `port: ${node.port}`,
      `jetstream: { store_dir: ${q(join(node.dir, 'jetstream'))} }`,
      'cluster: {',
      '  name: "vnet"',
      `  listen: "127.0.0.1:${node.routePort}"`,
      `  routes: [${routes.join(', ')}]`,
      '}',
      serverConfig(auth, { resolverDir: join(node.dir, 'resolver') }),
    ].join('\n');
    node.config = join(node.dir, 'nats-server.conf');
    writeFileSync(node.config, conf, { mode: 0o600 });
    node.url = `nats://127.0.0.1:${node.port}`;
  }
  const byName = (name) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name} in the cluster (${nodes.map((n) => n.name).join(', ')})`);
    return node;
  };
  const running = (node) => node.child && node.child.exitCode === null && node.child.signalCode === null;
  const startNode = async (name) => {
    const node = byName(name);
    if (running(node)) return node;
    node.child = spawn(bin, ['-c', node.config], { stdio: ['ignore', log, log], detached });
    onSpawn?.(node.child);
    await waitForPort(node.port, node.child, `nats-server ${node.name}`);
    return node;
  };
  const cluster = {
    url: nodes.map((n) => n.url).join(','),
    auth,
    nodes,
    node: byName,
    running: () => nodes.filter(running).map((n) => n.name),
    startNode,
    /** SIGKILL: the node gets no chance to step down or flush. */
    kill: async (name) => {
      const node = byName(name);
      if (running(node)) await stopChild(node.child, 'SIGKILL', 0);
    },
    stopNode: async (name, graceMs = 10000) => {
      const node = byName(name);
      if (running(node)) await stopChild(node.child, 'SIGTERM', graceMs);
    },
    stop: async (graceMs = 10000) => {
      await Promise.all(nodes.filter(running).map((n) => stopChild(n.child, 'SIGTERM', graceMs)));
    },
  };
  try {
    await Promise.all(nodes.map((n) => startNode(n.name)));
    await waitForJetStream(cluster);
  } catch (err) {
    await cluster.stop(2000);
    throw err;
  }
  return cluster;
}

/** Waits until JetStream answers an account-info request through the cluster (its meta leader elected). */
async function waitForJetStream(cluster, timeoutMs = 60000) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect(await natsOptions(cluster, 'admin', { maxReconnectAttempts: -1, waitOnFirstConnect: true }));
  const t0 = Date.now();
  try {
    for (;;) {
      try {
        await (await jetstreamManager(nc, { timeout: 2000 })).getAccountInfo();
        return;
      } catch (err) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`the NATS cluster's JetStream did not answer within ${timeoutMs} ms: ${err.message}`);
        await sleep(250);
      }
    }
  } finally {
    await nc.close();
  }
}

/**
 * Connect options for a principal of a server started by startNats (or a cluster started by
 * startNatsCluster): `admin` (everything in the account; tools and tests), a service's name, or `sys`.
 */
export async function natsOptions(server, principal = 'admin', extra = {}) {
  const { credsAuthenticator } = await import('@nats-io/transport-node');
  const file = server.auth.creds[principal];
  if (!file) throw new Error(`no credentials for ${principal}`);
  return {
    servers: server.url.split(','),
    authenticator: credsAuthenticator(readFileSync(file)),
    ...(principal === 'admin' || principal === 'sys' ? {} : { inboxPrefix: inboxPrefixFor(principal) }),
    ...extra,
  };
}

/** The environment that makes a service the principal `name` of a server started by startNats (or startNatsCluster). */
export function serviceNatsEnv(server, name) {
  const { auth } = server;
  return {
    NATS_CREDS: auth.creds[name],
    ...(name === 'host-agent' ? { NATS_HOST_SIGNING_KEY: auth.hostSignerFile, NATS_ACCOUNT: auth.account } : {}),
    ...(name === 'compute-manager' ? { NATS_SYSTEM_CREDS: auth.creds.sys, NATS_OPERATOR_SIGNING_KEY: auth.operatorSignerFile } : {}),
  };
}

function postgresAccount() {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    if (!line) return null;
    const [, , uid, gid, , home] = line.split(':');
    return { uid: Number(uid), gid: Number(gid), home };
  } catch {
    return null;
  }
}

/** True when `uid` can traverse every ancestor of `path` (so a server running as it can use the path). */
function traversableBy(path, account) {
  try {
    execFileSync('test', ['-x', path], { uid: account.uid, gid: account.gid, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the cluster lives. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
 * account; when that account cannot reach `dir` (a 0700 root-owned VNET_DATA_DIR, a checkout under
 * /root) the cluster lives in that account's home, under a name derived from `dir`, and `dir`
 * records where.
 */
function clusterDirFor(dir, account) {
  mkdirSync(dir, { recursive: true });
  if (!account) return join(dir, 'data');
  if (traversableBy(dir, account)) return join(dir, 'data');
  const id = createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 16);
  const elsewhere = join(account.home || '/var/lib/postgresql', 'vnet', id);
  writeFileSync(join(dir, 'CLUSTER_LOCATION'), `${elsewhere}\n`);
  return elsewhere;
}

/**
 * Starts a PostgreSQL cluster stored under `dir` (initialised on first use) on 127.0.0.1:`port`
 * with scram-sha-256 password authentication on loopback only (the superuser's password kept in
 * `dir/superuser.password`, 0600), and makes sure `database` exists. The URL answered is the
 * superuser's: services get roles of their own (ensureServiceRoles). `onSpawn` as for
 * startNats.
 */
export async function startPostgres({ dir, port, database = 'vnet', log = 'ignore', detached = true, settings = {}, onSpawn }) {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries are not installed (Debian package "postgresql")');
  const asRoot = process.getuid?.() === 0;
  const account = asRoot ? postgresAccount() : null;
  if (asRoot && !account) throw new Error('running as root, but there is no "postgres" account to run PostgreSQL as');
  const runAs = account ? { uid: account.uid, gid: account.gid } : {};
  const env = { ...process.env, ...(account ? { HOME: account.home } : {}), LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };

  const dataDir = clusterDirFor(dir, account);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (account) chownTree(dataDir, account);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-instructions'],
      {
        ...runAs,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  }
  port ??= await freePort();
  const conf = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: '',
    max_connections: '200',
    shared_buffers: '128MB',
    fsync: 'on',
    ...settings,
  };
  // Passwords only, scram-sha-256, over TCP on loopback (there is no Unix socket). A cluster whose
  // superuser has no password yet (new, or made before passwords) starts with `trust` just long
  // enough to set it.
  const passwordFile = join(dir, 'superuser.password');
  const passwordSet = existsSync(passwordFile);
  const password = passwordSet ? readFileSync(passwordFile, 'utf8').trim() : randomBytes(24).toString('base64url');
  writeHba(dataDir, passwordSet ? 'scram-sha-256' : 'trust');
  const args = ['-D', dataDir, ...Object.entries(conf).flatMap(([k, v]) => ['-c', `${k}=${v}`]), '-c', 'password_encryption=scram-sha-256'];
  const child = spawn(join(bin, 'postgres'), args, { ...runAs, env, stdio: ['ignore', log, log], detached });
  onSpawn?.(child);
  await waitForPort(port, child, 'postgres');
  const admin = { host: '127.0.0.1', port, user: 'postgres', password };
  await ensureDatabase(admin, database, async (client) => {
    if (passwordSet) return;
    await client.query(`ALTER ROLE postgres PASSWORD '${password}'`);
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    writeHba(dataDir, 'scram-sha-256');
    await client.query('SELECT pg_reload_conf()');
  });
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    pid: child.pid,
    child,
    dataDir,
    dir,
    // SIGINT is PostgreSQL's "fast" shutdown: rolls back open transactions, checkpoints, exits.
    stop: (graceMs = 10000) => stopChild(child, 'SIGINT', graceMs),
  };
}

function chownTree(path, account) {
  // Only the cluster's own directory (and its parent we created) need the account as owner.
  try {
    chownSync(join(path, '..'), account.uid, account.gid);
  } catch {
    /* parent not ours */
  }
  chownSync(path, account.uid, account.gid);
}

function writeHba(dataDir, method) {
  writeFileSync(
    join(dataDir, 'pg_hba.conf'),
    `# Written by vnet at each start (scripts/lib/stack.mjs).\nhost all all 127.0.0.1/32 ${method}\nhost all all ::1/128 ${method}\n`,
  );
}

async function ensureDatabase(admin, database, first) {
  const { default: pg } = await import('pg');
  const t0 = Date.now();
  for (;;) {
    const client = new pg.Client({ ...admin, database: 'postgres' });
    try {
      await client.connect();
      await first(client);
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => {});
      // "the database system is starting up" answers before the server accepts sessions.
      if (Date.now() - t0 > 30000) throw err;
      await sleep(200);
    }
  }
}

/** Each manager's role and the schema it owns (and nothing else). */
export const SERVICE_ROLES = {
  'network-manager': { role: 'vnet_network_manager', schema: 'network_manager' },
  'compute-manager': { role: 'vnet_compute_manager', schema: 'compute_manager' },
};

/**
 * Gives each manager a login role of its own on the cluster of `adminUrl` (no superuser, no
 * CREATEDB/CREATEROLE; its password kept in `dir/roles.json`, 0600). Safe at every start. Answers
 * `{service: {role, password, schema}}` for grantServiceSchemas.
 */
export async function ensureServiceRoles(adminUrl, dir) {
  const { default: pg } = await import('pg');
  const file = join(dir, 'roles.json');
  let passwords = {};
  try {
    passwords = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* first start */
  }
  const roles = {};
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const [service, { role, schema }] of Object.entries(SERVICE_ROLES)) {
      passwords[role] ??= randomBytes(24).toString('base64url');
      const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      await client.query(
        `${rowCount ? 'ALTER' : 'CREATE'} ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD ${lit(passwords[role])}`,
      );
      roles[service] = { role, schema, password: passwords[role] };
    }
    writeFileSync(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } finally {
    await client.end();
  }
  return roles;
}

const ident = (x) => `"${x.replace(/"/g, '""')}"`;
const lit = (x) => `'${x.replace(/'/g, "''")}'`;

/**
 * In `database`: each manager's role owns its schema and may use nothing else — no other schema
 * (the other manager's, `public`), no other database. These are the grants a `DATABASE_URL` of an
 * external server needs too (README). Objects made there by another owner (an older start that ran
 * as the superuser) are handed to the role. Answers each manager's URL.
 */
export async function grantServiceSchemas(adminUrl, database, roles) {
  const { default: pg } = await import('pg');
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const urls = {};
  try {
    // Two managers starting together grant at once: one after the other (else "tuple concurrently updated").
    await db.query('BEGIN');
    await db.query("SELECT pg_advisory_xact_lock(hashtext('vnet-service-grants'))");
    await db.query(`REVOKE ALL ON DATABASE ${ident(database)} FROM PUBLIC`);
    await db.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
    for (const [service, { role, schema, password }] of Object.entries(roles)) {
      await db.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(database)} TO ${ident(role)}`);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)} AUTHORIZATION ${ident(role)}`);
      await db.query(`ALTER SCHEMA ${ident(schema)} OWNER TO ${ident(role)}`);
      await db.query(`REVOKE ALL ON SCHEMA ${ident(schema)} FROM PUBLIC`);
      const { rows } = await db.query(
        `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND pg_get_userbyid(c.relowner) <> $2
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))`,
        [schema, role],
      );
      for (const { relname, relkind } of rows) {
        const kind = { S: 'SEQUENCE', v: 'VIEW', m: 'MATERIALIZED VIEW' }[relkind] ?? 'TABLE';
        await db.query(`ALTER ${kind} ${ident(schema)}.${ident(relname)} OWNER TO ${ident(role)}`);
      }
      const own = new URL(url);
      own.username = role;
      own.password = password;
      urls[service] = own.toString();
    }
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await db.end();
  }
  return urls;
}

/**
 * Removes a directory of servers, including any cluster kept elsewhere on behalf of a PostgreSQL
 * directory inside it (see clusterDirFor): `dir` may be the one given to startPostgres or a parent.
 */
export function removeDir(dir) {
  for (const pointer of clusterPointers(dir, 3)) {
    rmSync(readFileSync(pointer, 'utf8').trim(), { recursive: true, force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}

function clusterPointers(dir, depth) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    if (e.isFile() && e.name === 'CLUSTER_LOCATION') return [join(dir, e.name)];
    // The cluster itself (data/) holds thousands of files and never a pointer.
    if (e.isDirectory() && depth > 0 && e.name !== 'data') return clusterPointers(join(dir, e.name), depth - 1);
    return [];
  });
}
