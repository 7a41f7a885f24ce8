import { configVariables, loadConfig } from '@vnet/events';
import { COMPUTE_MANAGER_NODE_ARGS } from '../scripts/lib/compute-manager-runtime.mjs';
import { HOST_AGENT_ENV, HOST_AGENT_NODE_ARGS } from '../scripts/lib/host-agent-runtime.mjs';
import { APP_NAMES, APPS, args, compose, environmentOf, NODES, service, SHELL } from './harness/compose.js';

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
/** `node:port` of a published `127.0.0.1:7101:7101`: the container's port. */
const containerPort = (published: string) => Number(published.split(':').at(-1));

/**
 * docker/docker-compose.yml without a Docker engine (README "Containers"), read as Compose reads it: the
 * NATS nodes, PostgreSQL and the services, their health checks, volumes and dependencies, and an
 * environment for each service that sets what it reads (the list from its config class) and loads.
 * test/docker-image.e2e-spec.ts builds the image and runs the cluster and the services.
 */
describe('docker compose: a 3-node NATS cluster, PostgreSQL and the services, configured through the environment', () => {
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

    for (const name of APP_NAMES) {
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

  it.each(APP_NAMES)(
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

  it("the compute manager's container starts it as every other start does", () => {
    const command = args(service('compute-manager'));
    expect(command.slice(0, -1)).toEqual(expect.arrayContaining(COMPUTE_MANAGER_NODE_ARGS));
    expect(command.at(-1)).toBe('apps/compute-manager/dist/main.js');
  });
});
