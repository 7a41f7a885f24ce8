import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { COMPUTE_MANAGER_NODE_ARGS } from '../../scripts/lib/compute-manager-runtime.mjs';
import { HOST_AGENT_ENV, HOST_AGENT_NODE_ARGS } from '../../scripts/lib/host-agent-runtime.mjs';
import { type ConnectionOptions } from '@nats-io/transport-node';
import {
  ensureServiceRoles,
  freePort,
  grantServiceSchemas,
  natsOptions,
  removeDir,
  serviceNatsEnv,
  startNats,
  startNatsCluster,
  startPostgres,
  type LocalServer,
  type NatsCluster,
  type NatsServer,
  type ServiceRoles,
} from '../../scripts/lib/stack.mjs';
import { checkAnswer } from './openapi-check.js';
import { testDatabaseRoles, testServers } from './servers.js';

const ROOT = resolve(import.meta.dirname, '../..');
export const ADMIN_TOKEN = 'e2e-admin-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type ServiceName = 'network-manager' | 'compute-manager' | 'host-agent';
const PORT_VAR: Record<ServiceName, string> = {
  'network-manager': 'NETWORK_MANAGER_PORT',
  'compute-manager': 'COMPUTE_MANAGER_PORT',
  'host-agent': 'HOST_AGENT_PORT',
};

export interface RunningService {
  name: ServiceName;
  url: string;
  port: number;
  process: ChildProcess;
  logs(): string;
  /** SIGTERM and wait; SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL: the process gets no chance to clean up. */
  kill(): Promise<void>;
}

/**
 * A suite's own stack: a NATS server of its own (streams and consumers never collide with other
 * suites') and a database of its own on the run's PostgreSQL; the real services run as processes.
 */
export class SuiteStack {
  readonly dir = mkdtempSync(join(testServers().dir, 'suite-'));
  nats!: NatsServer;
  /** The suite's NATS cluster (with `natsCluster`), instead of `nats`: services get every node's URL and NATS_REPLICAS. */
  cluster: NatsCluster | null = null;
  /** The suite's database as the superuser (for tests that look into it). */
  databaseUrl!: string;
  /** The suite's own PostgreSQL (with `ownPostgres`), which it may stop and start. */
  postgres: LocalServer | null = null;
  private readonly database = `suite_${randomBytes(5).toString('hex')}`;
  /** The managers' roles on the suite's own PostgreSQL (with `ownPostgres`). */
  private roles: ServiceRoles | null = null;
  private readonly services: RunningService[] = [];

  /**
   * `ownPostgres`: a PostgreSQL of the suite's own instead of a database on the run's, for outages.
   * `natsCluster`: a cluster of that many NATS nodes instead of one server; services run with
   * NATS_REPLICAS of the same number.
   */
  constructor(private readonly options: { ownPostgres?: boolean; natsCluster?: number } = {}) {}

  /** The bus the services use: the cluster, or the one server. */
  private get bus(): Pick<NatsServer, 'url' | 'auth' | 'stop'> {
    return this.cluster ?? this.nats;
  }

  async start(): Promise<this> {
    if (this.options.natsCluster) this.cluster = await startNatsCluster({ dir: join(this.dir, 'nats'), size: this.options.natsCluster });
    else this.nats = await startNats({ dir: join(this.dir, 'nats') });
    if (this.options.ownPostgres) {
      this.postgres = await startPostgres({ dir: join(this.dir, 'postgres'), database: this.database });
      this.databaseUrl = this.postgres.url;
      this.roles = await ensureServiceRoles(this.postgres.url, this.dir);
      return this;
    }
    const admin = new pg.Client({ connectionString: testServers().databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${this.database}`);
    await admin.end();
    const url = new URL(testServers().databaseUrl);
    url.pathname = `/${this.database}`;
    this.databaseUrl = url.toString();
    return this;
  }

  /** Connect options for this suite's NATS as `principal` (by default `admin`: everything in the account). */
  natsOptions(principal: Parameters<typeof natsOptions>[1] = 'admin', extra: ConnectionOptions = {}): Promise<ConnectionOptions> {
    return natsOptions(this.bus, principal, extra);
  }

  /** Restarts NATS on the same port and data (a NATS restart under running services). */
  async restartNats(downMs = 0): Promise<void> {
    const port = this.nats.port;
    await this.nats.stop();
    await sleep(downMs);
    this.nats = await startNats({ dir: join(this.dir, 'nats'), port });
  }

  /** Stops NATS (SIGTERM); `startNatsAgain` brings it back on the same port and data. */
  async stopNats(): Promise<void> {
    await this.nats.stop();
  }

  async startNatsAgain(): Promise<void> {
    this.nats = await startNats({ dir: join(this.dir, 'nats'), port: this.nats.port });
  }

  /** Stops the suite's own PostgreSQL (a fast shutdown); `startPostgresAgain` brings it back on the same port and data. */
  async stopPostgres(): Promise<void> {
    if (!this.postgres) throw new Error('stopPostgres needs a SuiteStack with ownPostgres');
    await this.postgres.stop();
  }

  async startPostgresAgain(): Promise<void> {
    if (!this.postgres) throw new Error('startPostgresAgain needs a SuiteStack with ownPostgres');
    this.postgres = await startPostgres({ dir: join(this.dir, 'postgres'), port: this.postgres.port, database: this.database });
  }

  /** Starts a service and waits until it is healthy (or, with `healthy: false`, only answering HTTP). */
  async startService(
    name: ServiceName,
    env: Record<string, string> = {},
    options: { healthy?: boolean } = {},
  ): Promise<RunningService> {
    const port = await freePort();
    // Each manager as its own role, owning only its schema (made again if a test dropped it).
    const own: Partial<Record<ServiceName, string>> =
      name === 'host-agent'
        ? {}
        : await grantServiceSchemas(this.postgres?.url ?? testServers().databaseUrl, this.database, this.roles ?? testDatabaseRoles());
    let output = '';
    const nodeArgs = name === 'host-agent' ? HOST_AGENT_NODE_ARGS : name === 'compute-manager' ? COMPUTE_MANAGER_NODE_ARGS : [];
    const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'apps', name, 'dist', 'main.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        ADMIN_TOKEN,
        NATS_URL: this.bus.url,
        ...serviceNatsEnv(this.bus, name),
        ...(this.cluster ? { NATS_REPLICAS: String(this.cluster.nodes.length) } : {}),
        DATABASE_URL: name === 'host-agent' ? this.databaseUrl : own[name],
        VNET_DATA_DIR: join(this.dir, 'data'),
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'warn',
        HOSTS: '0',
        ...(name === 'host-agent' ? HOST_AGENT_ENV : {}),
        [PORT_VAR[name]]: String(port),
        ...env,
      },
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    // A wait that times out shows what this service warned of (LOG_LEVEL warn) meanwhile.
    const watched = { name, logs: () => output };
    servicesOfThisProcess.add(watched);
    child.once('exit', () => setTimeout(() => servicesOfThisProcess.delete(watched), 60000).unref());
    const url = `http://127.0.0.1:${port}`;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const service: RunningService = {
      name,
      url,
      port,
      process: child,
      logs: () => output,
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
      },
      kill: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await exited;
      },
    };
    this.services.push(service);
    await waitHealthy(service, 30000, options.healthy === false);
    return service;
  }

  async stop(): Promise<void> {
    await Promise.all(this.services.map((s) => s.stop()));
    await (this.cluster ?? this.nats)?.stop();
    if (this.postgres) {
      await this.postgres.stop();
      removeDir(this.dir);
      return;
    }
    const admin = new pg.Client({ connectionString: testServers().databaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await admin.end();
    removeDir(this.dir);
  }
}

export async function waitHealthy(service: RunningService, timeoutMs = 30000, anyAnswer = false): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (service.process.exitCode !== null) throw new Error(`${service.name} exited:\n${service.logs().slice(-3000)}`);
    const ok = await fetch(`${service.url}/health`)
      .then((r) => anyAnswer || r.status === 200)
      .catch(() => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${service.name} not healthy in ${timeoutMs} ms:\n${service.logs().slice(-3000)}`);
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A small HTTP client for the admin API. Every answer is checked against the OpenAPI document the
 * service serves (a mismatch fails the test); `unchecked` is the same client without that check,
 * for a request a test sends on purpose to a route no document describes.
 */
export function api(baseUrl: string, token: string | null = ADMIN_TOKEN) {
  const client = (checked: boolean) => {
    const call = async <T = any>(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<ApiResponse<T>> => {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      if (checked) await checkAnswer(baseUrl, method, path, res.status, res.headers.get('content-type') ?? '', parsed);
      return { status: res.status, body: parsed as T, headers: res.headers };
    };
    return {
      get: <T = any>(path: string, headers?: Record<string, string>) => call<T>('GET', path, undefined, headers),
      post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
        call<T>('POST', path, body ?? {}, headers),
      patch: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
        call<T>('PATCH', path, body ?? {}, headers),
      put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('PUT', path, body ?? {}, headers),
      delete: <T = any>(path: string, headers?: Record<string, string>) => call<T>('DELETE', path, undefined, headers),
      raw: call,
    };
  };
  return { ...client(true), unchecked: client(false) };
}

/** Polls `probe` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 10000,
  what = 'condition',
): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < timeoutMs) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}${warningsSince(t0)}`);
}

/** Services this test process started (running, or stopped within the last minute). */
const servicesOfThisProcess = new Set<{ name: string; logs: () => string }>();

/** The services' log lines recorded at or after `sinceMs`, the last few of each, to show why a wait timed out. */
function warningsSince(sinceMs: number): string {
  const parts: string[] = [];
  for (const { name, logs } of servicesOfThisProcess) {
    const lines = logs()
      .split('\n')
      .filter((line) => {
        if (!line.trim()) return false;
        const time = /"time":"([^"]+)"/.exec(line)?.[1];
        return !time || Date.parse(time) >= sinceMs - 1000;
      })
      .slice(-8)
      .map((line) => `  ${line.slice(0, 400)}`);
    if (lines.length) parts.push(`${name}:\n${lines.join('\n')}`);
  }
  return parts.length ? `\nservice warnings meanwhile:\n${parts.join('\n')}` : '';
}
