import { jest } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findNatsServer, freePort, stopChild } from '../scripts/lib/stack.mjs';
import { APP_NAMES, APPS, type App, args, ComposeVolumes, environmentOf, NODES, service } from './harness/compose.js';
import { dockerignore, playDockerfile, readDockerfile, trackedFiles } from './harness/dockerfile.js';
import { api, eventually, SuiteStack } from './harness/stack.js';

// Services on a 3-node cluster, on a loaded machine; the image's build has a longer timeout of its own.
jest.setTimeout(180000);
/** Playing the image's build (npm ci, tsc, npm prune): two to four minutes on a loaded 2-core machine. */
const BUILD_TIMEOUT_MS = 600000;

const ROOT = resolve(import.meta.dirname, '..');

/**
 * docker/ without a Docker engine (README "Containers"): the Dockerfile is played from a clean checkout
 * (its COPY lines, its RUN npm steps); then the three NATS nodes run with the configuration the compose
 * file gives them, as a cluster on loopback, and the services of the played image run on it with their
 * compose environment.
 */
describe('docker image: built from a clean checkout, its services on the compose NATS cluster', () => {
  const stack = new SuiteStack();
  let volumes: ComposeVolumes;
  /** The image's filesystem, once played (the first test). */
  let image = '';
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await stack.start();
    volumes = new ComposeVolumes(stack.dir);
  }, 60000);
  afterAll(async () => {
    await Promise.all(children.map((child) => stopChild(child, 'SIGTERM', 10000)));
    await stack.stop();
  }, 60000);

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
      ).toEqual(APP_NAMES.map((n) => Number(environmentOf(n)[APPS[n].portVar])).sort());

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
      const mountPoints = ['/data', '/nats-auth', ...APP_NAMES.map((n) => `/creds/${n}`)];
      const run = skipped[0].text;
      for (const m of mountPoints) expect(run).toMatch(new RegExp(`mkdir -p [^&]*${m}(\\s|$)`));
      expect(run).toMatch(/chown node:node /);
      for (const name of APP_NAMES) {
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
      for (const name of APP_NAMES) {
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
      // The operator's command line is in the image too, with its dependencies.
      const help = execFileSync(process.execPath, ['tools/vnetctl/bin/vnetctl.js', '--help'], {
        cwd: image,
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
      });
      expect(help).toMatch(/Usage: vnetctl/);
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
