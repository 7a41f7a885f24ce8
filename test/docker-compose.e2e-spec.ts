import { jest } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { configVariables, loadConfig } from '@vnet/events';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ComputeManagerConfig } from '../apps/compute-manager/src/config/compute-manager.config.js';
import { HostAgentConfig } from '../apps/host-agent/src/config/host-agent.config.js';
import { NetworkManagerConfig } from '../apps/network-manager/src/config/network-manager.config.js';
import { HOST_AGENT_ENV, HOST_AGENT_NODE_ARGS } from '../scripts/lib/host-agent-runtime.mjs';
import { findNatsServer, freePort } from '../scripts/lib/stack.mjs';
import { args, compose, ComposeVolumes, interpolate, service } from './harness/compose.js';
import { dockerignore, playDockerfile, readDockerfile, trackedFiles } from './harness/dockerfile.js';
import { ADMIN_TOKEN, api, eventually, SuiteStack } from './harness/stack.js';

// Services on a 3-node cluster, on a loaded machine; the image's build has a longer timeout of its own.
jest.setTimeout(180000);
/** Playing the image's build (npm ci, tsc, npm prune): two to four minutes on a loaded 2-core machine. */
const BUILD_TIMEOUT_MS = 600000;

const ROOT = resolve(import.meta.dirname, '..');
const NODES = ['nats-1', 'nats-2', 'nats-3'];
/** Each service of the image, the config class it validates its environment into, and its port. */
const APPS = {
  'network-manager': { config: NetworkManagerConfig, portVar: 'NETWORK_MANAGER_PORT' },
  'compute-manager': { config: ComputeManagerConfig, portVar: 'COMPUTE_MANAGER_PORT' },
  'host-agent': { config: HostAgentConfig, portVar: 'HOST_AGENT_PORT' },
} as const;
type App = keyof typeof APPS;
/**
 * Variables a service reads that the compose file leaves to their defaults on purpose (anything else it
 * reads must be set there): each with the reason.
 */
const LEFT_TO_DEFAULT: Record<string, string> = {
  ADMIN_TOKENS_FILE: 'named credentials need a file mounted into the containers; without one ADMIN_TOKEN alone is accepted',
  NATS_INBOX_PREFIX: "`_INBOX_<service>` is what each service's credentials let it subscribe to",
  NATS_ACCOUNT: "the hosts' account is that of the host agent's NATS_CREDS",
  HOST_ID: 'the container simulates HOSTS hosts; a real hypervisor runs a host agent of its own with HOST_ID',
};
/** Read by Node itself rather than by the service's config. */
const RUNTIME = ['UV_THREADPOOL_SIZE'];
/** What an operator's shell gives `docker compose up` (README "Containers"). */
const SHELL = { ADMIN_TOKEN };

/** A service's environment as compose hands it to the container. */
const environmentOf = (name: string, shell: Record<string, string> = SHELL) =>
  Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, interpolate(String(v), shell)]));
/** `node:port` of a published `127.0.0.1:7101:7101`: the container's port. */
const containerPort = (published: string) => Number(published.split(':').at(-1));

/**
 * docker/ without a Docker engine (README "Containers"): the compose file is read as Compose reads it and
 * checked for what the deployment needs; the Dockerfile is played from a clean checkout (its COPY lines,
 * its RUN npm steps); the three NATS nodes run with the configuration the compose file gives them, as a
 * cluster on loopback, and the services built by that play run on it with the compose environment.
 */
describe('docker/: the image, and compose with a 3-node NATS cluster, PostgreSQL and the services', () => {
  const stack = new SuiteStack();
  let volumes: ComposeVolumes;
  /** The image's filesystem, once played (the second test). */
  let image = '';
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await stack.start();
    volumes = new ComposeVolumes(stack.dir);
  }, 60000);
  afterAll(async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
      }),
    );
    await stack.stop();
  }, 60000);

  it('declares the NATS nodes, PostgreSQL and the services, each with a health check, volumes for their data, and the environment they read', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'compute-manager',
      'host-agent',
      'nats-1',
      'nats-2',
      'nats-3',
      'nats-auth',
      'network-manager',
      'postgres',
    ]);
    // Every long-running service has a health check; the one-shot init is what others wait to complete.
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.restart === 'no') {
        expect(name).toBe('nats-auth');
        continue;
      }
      expect({ name, test: s.healthcheck?.test?.[0] }).toEqual({ name, test: 'CMD' });
      expect(s.healthcheck).toMatchObject({
        interval: expect.any(String),
        timeout: expect.any(String),
        retries: expect.any(Number),
      });
    }
    // Every named volume used is declared.
    const used = Object.values(compose.services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(':')[0]));
    for (const v of used) expect(compose.volumes).toHaveProperty(v);

    const postgres = service('postgres');
    expect(postgres.volumes).toContain('postgres:/var/lib/postgresql/data');
    expect(postgres.healthcheck!.test).toEqual([
      'CMD',
      'pg_isready',
      '-U',
      postgres.environment!.POSTGRES_USER,
      '-d',
      postgres.environment!.POSTGRES_DB,
    ]);

    const clusterNames = new Set<string>();
    for (const node of NODES) {
      const a = args(service(node));
      const flag = (f: string) => a[a.indexOf(f) + 1];
      expect(a).toContain('--jetstream');
      expect(flag('--name')).toBe(node);
      expect(flag('--store_dir')).toBe('/data');
      expect(service(node).volumes).toContain(`${node}:/data`);
      clusterNames.add(flag('--cluster_name'));
      const routes = flag('--routes')
        .split(',')
        .map((r) => new URL(r).hostname)
        .sort();
      expect(routes).toEqual(NODES.filter((n) => n !== node));
      expect(service(node).healthcheck!.test.join(' ')).toContain(
        `http://127.0.0.1:${flag('--http_port')}/healthz?js-enabled-only=true`,
      );
    }
    expect(clusterNames.size).toBe(1);

    for (const name of Object.keys(APPS) as App[]) {
      const s = service(name);
      const env = environmentOf(name);
      const port = Number(env[APPS[name].portVar]);
      expect(s.healthcheck!.test).toEqual(['CMD', 'node', 'healthcheck.mjs', String(port)]);
      expect(s.ports!.map(containerPort)).toEqual([port]);
      for (const dep of [...NODES, 'postgres']) expect(s.depends_on?.[dep]).toEqual({ condition: 'service_healthy' });
      expect(env.NATS_REPLICAS).toBe('3');
      expect(env.NATS_URL.split(',').map((u) => new URL(u).hostname)).toEqual(NODES);
      expect(s.user).toBeUndefined(); // the image's own user, not root
    }
    // The host agent's stores and credentials survive a new container: its VNET_DATA_DIR is a volume.
    expect(service('host-agent').volumes).toContain(`host-agent:${environmentOf('host-agent').VNET_DATA_DIR}`);
  });

  it.each(Object.keys(APPS) as App[])(
    '%s: every variable it reads is set in compose (or left to its default for a reason), and the whole loads',
    (name) => {
      const env = environmentOf(name);
      const variables = configVariables(APPS[name].config);
      const read = new Set(variables.map((v) => v.name));
      const unset = variables.filter((v) => !(v.name in env) && !(v.name in LEFT_TO_DEFAULT)).map((v) => v.name);
      expect(unset).toEqual([]);
      for (const v of variables)
        if (v.name in LEFT_TO_DEFAULT) expect({ name: v.name, required: v.required }).toEqual({ name: v.name, required: false });
      // Nothing set that nobody reads (a misspelt variable would be silently ignored).
      expect(Object.keys(env).filter((k) => !read.has(k) && !RUNTIME.includes(k))).toEqual([]);
      // A `${VAR:-default}` in compose defaults to what the service itself would take.
      for (const [key, raw] of Object.entries(service(name).environment!)) {
        const fallback = /^\$\{\w+:-([^}]*)\}$/.exec(String(raw))?.[1];
        const declared = variables.find((v) => v.name === key)?.defaultValue;
        if (fallback !== undefined && declared !== undefined)
          expect({ key, fallback }).toEqual({ key, fallback: String(declared) });
      }
      const config = loadConfig(APPS[name].config as new () => object, env) as Record<string, unknown>;
      expect(config).toMatchObject({
        NATS_REPLICAS: 3,
        BIND_ADDRESS: '0.0.0.0',
        VNET_DATA_DIR: '/data',
        ADMIN_TOKEN: SHELL.ADMIN_TOKEN,
      });
      // Without ADMIN_TOKEN in the shell, compose itself refuses to start, naming it.
      expect(() => environmentOf(name, {})).toThrow(/^ADMIN_TOKEN: set ADMIN_TOKEN/);
    },
  );

  it("the host agent's container starts it as every other start does", () => {
    const env = environmentOf('host-agent');
    for (const [k, v] of Object.entries(HOST_AGENT_ENV)) expect(env[k]).toBe(v);
    const command = args(service('host-agent'));
    expect(command.slice(0, -1)).toEqual(expect.arrayContaining(HOST_AGENT_NODE_ARGS));
    expect(command.at(-1)).toBe('apps/host-agent/dist/main.js');
  });

  it(
    'the image builds from a clean checkout, and runs as a non-root user',
    () => {
      const stages = readDockerfile();
      const final = stages.at(-1)!;
      // The services run as `node`: the last USER of the final stage, before the command.
      const users = final.instructions.filter((i) => i.op === 'USER').map((i) => i.words[0]);
      expect(users.at(-1)).toBe('node');
      const lastUser = final.instructions.findLastIndex((i) => i.op === 'USER');
      expect(final.instructions.slice(lastUser).filter((i) => i.op === 'RUN')).toEqual([]);
      expect(
        final.instructions
          .filter((i) => i.op === 'EXPOSE')
          .flatMap((i) => i.words.map(Number))
          .sort(),
      ).toEqual((Object.keys(APPS) as App[]).map((n) => Number(environmentOf(n)[APPS[n].portVar])).sort());

      // The build context: what a clean checkout holds, less what the Dockerfile's .dockerignore leaves out.
      const ignore = dockerignore(readFileSync(join(ROOT, 'docker', 'Dockerfile.dockerignore'), 'utf8'));
      const context = join(stack.dir, 'context');
      const files = trackedFiles().filter((f) => !ignore.matches(f));
      for (const f of files) {
        mkdirSync(dirname(join(context, f)), { recursive: true });
        cpSync(join(ROOT, f), join(context, f));
      }
      // Every file the build copies from the context is in it.
      for (const ins of stages.flatMap((s) => s.instructions).filter((i) => i.op === 'COPY' && i.flags.from === undefined)) {
        for (const src of ins.words.slice(0, -1))
          expect({ src, inContext: files.some((f) => f === src || f.startsWith(`${src}/`)) }).toEqual({ src, inContext: true });
      }
      expect(ignore.matches('node_modules')).toBe(true);
      expect(ignore.matches('apps/compute-manager/dist/main.js')).toBe(true);

      // The build stage's RUN steps (npm ci, the build, npm prune) run as written; the final stage's only
      // makes the mount points and gives them to `node` (checked below, not run: it writes outside /app).
      const { roots, skipped } = playDockerfile(stages, {
        dir: join(stack.dir, 'image'),
        context,
        runStage: (s) => s !== final,
        env: { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
      });
      image = join(roots[String(stages.length - 1)], 'app');
      expect(skipped).toHaveLength(1);
      const mountPoints = ['/data', '/nats-auth', ...(Object.keys(APPS) as App[]).map((n) => `/creds/${n}`)];
      const run = skipped[0].text;
      for (const m of mountPoints) expect(run).toMatch(new RegExp(`mkdir -p [^&]*${m}(\\s|$)`));
      expect(run).toMatch(/chown node:node /);
      for (const name of Object.keys(APPS) as App[]) {
        for (const target of (service(name).volumes ?? []).map((v) => v.split(':')[1]))
          expect({ name, target, made: mountPoints.some((m) => m === target || m.startsWith(`${target}/`)) }).toEqual({
            name,
            target,
            made: true,
          });
      }
      // No development dependency is left in the image (npm prune --omit=dev ran).
      expect(() => readFileSync(join(image, 'node_modules', 'jest', 'package.json'))).toThrow();
      // Each service's whole module graph loads from the image: it gets as far as its configuration.
      for (const name of Object.keys(APPS) as App[]) {
        const command = args(service(name));
        let failure = '';
        try {
          execFileSync(command[0] === 'node' ? process.execPath : command[0], command.slice(1), {
            cwd: image,
            env: { PATH: process.env.PATH },
            stdio: 'pipe',
            encoding: 'utf8',
          });
        } catch (err) {
          failure = String((err as { stderr?: string }).stderr ?? err);
        }
        expect(failure).toMatch(/ADMIN_TOKEN/);
        expect(failure).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
      }
    },
    BUILD_TIMEOUT_MS,
  );

  it('the NATS nodes pass `nats-server -t` and form a JetStream cluster; the services from the image run on it with the compose environment, every stream and bucket replicated 3 times', async () => {
    expect(image).not.toBe(''); // played by the test before
    expect(volumes.runInit()).toMatch(/nats auth: operator/);
    const init = volumes.initEnv();
    const ports = Object.fromEntries(
      await Promise.all(
        NODES.map(async (n) => [n, { client: await freePort(), route: await freePort(), http: await freePort() }] as const),
      ),
    );
    const natsUrl = NODES.map((n) => `nats://127.0.0.1:${ports[n].client}`).join(',');
    /** A node's compose command, on this machine: its paths through its volumes, hosts and ports mapped. */
    const nodeArgs = (node: string) => {
      const a = args(service(node));
      const out: string[] = [];
      for (let i = 0; i < a.length; i++) {
        const [flag, value] = [a[i], a[i + 1]];
        if (flag === '--config') {
          // The one configuration, as this node's container reads it: its resolver on its own /data.
          const text = readFileSync(volumes.hostPath(node, value), 'utf8').replaceAll(
            init.SERVER_RESOLVER_DIR,
            volumes.hostPath(node, service('nats-auth').environment!.SERVER_RESOLVER_DIR),
          );
          const conf = join(stack.dir, `${node}.conf`);
          writeFileSync(conf, text);
          out.push(flag, conf);
        } else if (flag === '--store_dir') out.push(flag, volumes.hostPath(node, value));
        else if (flag === '--http_port') out.push(flag, String(ports[node].http));
        else if (flag === '--cluster') out.push(flag, `nats://127.0.0.1:${ports[node].route}`);
        else if (flag === '--routes')
          out.push(
            flag,
            value
              .split(',')
              .map((r) => `nats://127.0.0.1:${ports[new URL(r).hostname].route}`)
              .join(','),
          );
        else {
          out.push(flag);
          continue;
        }
        i++;
      }
      return [...out, '-a', '127.0.0.1', '-p', String(ports[node].client)];
    };
    const bin = findNatsServer()!;
    // What each node's container is given passes nats-server's own check of its configuration.
    for (const node of NODES) expect(() => execFileSync(bin, [...nodeArgs(node), '-t'], { stdio: 'pipe' })).not.toThrow();
    for (const node of NODES) children.push(spawn(bin, nodeArgs(node), { stdio: 'ignore' }));
    // What each node's health check asks.
    for (const node of NODES) {
      const url = service(node)
        .healthcheck!.test.find((t) => t.startsWith('http'))!
        .replace(/:\d+\//, `:${ports[node].http}/`);
      await eventually(async () => (await fetch(url).catch(() => null))?.status === 200, 60000, `${node} healthy with JetStream`);
    }

    /** A service from the image, with compose's environment: its files through its volumes, NATS and PostgreSQL here. */
    const startFromImage = async (name: App) => {
      const env = environmentOf(name);
      for (const key of ['NATS_CREDS', 'NATS_SYSTEM_CREDS', 'NATS_OPERATOR_SIGNING_KEY', 'NATS_HOST_SIGNING_KEY'])
        if (env[key]) env[key] = volumes.hostPath(name, env[key]);
      const port = await freePort();
      const command = args(service(name));
      const child = spawn(process.execPath, command.slice(1), {
        cwd: image,
        env: {
          PATH: process.env.PATH,
          ...env,
          NATS_URL: natsUrl,
          DATABASE_URL: stack.databaseUrl,
          BIND_ADDRESS: '127.0.0.1',
          VNET_DATA_DIR: join(stack.dir, `data-${name}`),
          [APPS[name].portVar]: String(port),
          HOSTS: '2',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      // What its container's health check runs, from the image.
      const healthy = () => {
        try {
          execFileSync(process.execPath, ['healthcheck.mjs', String(port)], { cwd: image, stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      };
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${stderr}`);
          return healthy();
        },
        90000,
        `${name} healthy`,
      );
      return `http://127.0.0.1:${port}`;
    };
    const [, cmUrl] = await Promise.all((['network-manager', 'compute-manager', 'host-agent'] as const).map(startFromImage));
    const compute = api(cmUrl);
    await eventually(
      async () =>
        (await compute.get('/hosts')).body.filter((h: { connectionState: string }) => h.connectionState === 'connected')
          .length === 2,
      60000,
      'both hosts connected',
    );
    const sw = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] });
    expect(sw.status).toBe(201);
    expect((await compute.post(`/switches/${sw.body.id}/snapshots`)).status).toBe(201);

    const nc = await connect({
      servers: natsUrl.split(','),
      authenticator: credsAuthenticator(readFileSync(join(init.AUTH_DIR, 'auth', 'admin.creds'))),
    });
    try {
      const jsm = await jetstreamManager(nc);
      const streams = await eventually(
        async () => {
          const all = await jsm.streams.list().next();
          return all.length >= 8 && all.every((s) => (s.cluster?.replicas?.length ?? 0) === 2) ? all : null;
        },
        30000,
        'every stream with its two followers',
      );
      expect(streams.map((s) => s.config.name)).toEqual(
        expect.arrayContaining([
          'EVENTS_COMPUTE_MANAGER',
          'EVENTS_NETWORK_MANAGER',
          'KV_vnet-switches',
          'KV_vnet-host-ports',
          'KV_vnet-logical-networks',
          'KV_vnet-transport-nodes',
          'OBJ_vnet-snapshots',
        ]),
      );
      for (const s of streams) {
        expect({ stream: s.config.name, replicas: s.config.num_replicas }).toEqual({ stream: s.config.name, replicas: 3 });
        expect([s.cluster!.leader, ...s.cluster!.replicas!.map((r) => r.name)].sort()).toEqual(NODES);
      }
    } finally {
      await nc.close();
    }
  });
});
