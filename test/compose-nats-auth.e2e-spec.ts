import { jest } from '@jest/globals';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decode, type Operator } from '@nats-io/jwt';
import { findNatsServer, freePort, stopChild } from '../scripts/lib/stack.mjs';
import { args, compose, ComposeVolumes, service } from './harness/compose.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

jest.setTimeout(90000);

const ROOT = resolve(import.meta.dirname, '..');
const SERVICES = ['network-manager', 'compute-manager', 'host-agent'] as const;

/** SIGTERM, and SIGKILL if it has not ended in 10 s. */
const stop = (child: ChildProcess) => stopChild(child, 'SIGTERM', 10000);

/**
 * docker/docker-compose.yml runs NATS in operator mode, without Docker: the compose file is read as
 * YAML, its `nats-auth` service's script runs with that service's environment, every container path
 * mapped through the volumes it mounts onto a directory per volume here; nats-server then runs with
 * the configuration a node would read, and the real services with the credentials their own volume
 * holds, so what each container would see is what is checked.
 */
describe('docker compose: NATS in operator mode, each service with its own credentials', () => {
  const stack = new SuiteStack();
  let volumes: ComposeVolumes;
  const hostPath = (name: string, containerPath: string) => volumes.hostPath(name, containerPath);
  const initEnv = () => volumes.initEnv();
  const runInit = () => volumes.runInit();
  let nats: ChildProcess | null = null;
  let natsUrl = '';
  /** nats-1 as its container runs it, on a local port, without the cluster routes (one node here). */
  const startNode = async () => {
    const command = args(service('nats-1'));
    const config = hostPath('nats-1', command[command.indexOf('--config') + 1]);
    const port = natsUrl ? Number(new URL(natsUrl).port) : await freePort();
    nats = spawn(
      findNatsServer()!,
      [
        '--config',
        config,
        '--jetstream',
        '--store_dir',
        hostPath('nats-1', '/data'),
        '-a',
        '127.0.0.1',
        '-p',
        String(port),
        '--name',
        'nats-1',
      ],
      { stdio: 'ignore' },
    );
    natsUrl = `nats://127.0.0.1:${port}`;
    await eventually(
      () =>
        connect({ servers: natsUrl, authenticator: credsAuthenticator(readFileSync(credsOf('network-manager'))) }).then(
          (nc) => nc.close().then(() => true),
          () => false,
        ),
      15000,
      'nats-1 to take connections',
    );
  };
  const credsOf = (name: (typeof SERVICES)[number]) => hostPath(name, service(name).environment!.NATS_CREDS);
  /** A service's environment as compose gives it, its file paths mapped; NATS at the local node. */
  const serviceEnv = (name: (typeof SERVICES)[number]) => {
    const env: Record<string, string> = {
      NATS_URL: natsUrl,
      NATS_ACCOUNT: '',
      NATS_HOST_SIGNING_KEY: '',
      NATS_SYSTEM_CREDS: '',
      NATS_OPERATOR_SIGNING_KEY: '',
    };
    for (const [key, value] of Object.entries(service(name).environment!)) {
      if (/^NATS_(CREDS|SYSTEM_CREDS|OPERATOR_SIGNING_KEY|HOST_SIGNING_KEY)$/.test(key)) env[key] = hostPath(name, value);
    }
    return env;
  };
  let cm: RunningService;

  beforeAll(async () => {
    await stack.start();
    volumes = new ComposeVolumes(stack.dir);
  }, 60000);
  afterAll(async () => {
    if (nats) await stop(nats);
    await stack.stop();
  }, 60000);

  it('declares the init service, and NATS nodes and services that wait for it and mount only what is theirs', () => {
    const init = service('nats-auth');
    expect(args(init)).toEqual(['node', 'docker/nats-auth-init.mjs']);
    expect(init.user).toBe('root');
    for (const node of ['nats-1', 'nats-2', 'nats-3']) {
      const s = service(node);
      expect(s.depends_on?.['nats-auth']).toEqual({ condition: 'service_completed_successfully' });
      expect(args(s)).toEqual(expect.arrayContaining(['--config', '/nats-auth/server.conf', '--jetstream']));
      expect(s.volumes).toEqual([`${node}:/data`, 'nats-auth:/nats-auth:ro']);
    }
    for (const name of SERVICES) {
      const s = service(name);
      expect(s.depends_on?.['nats-auth']).toEqual({ condition: 'service_completed_successfully' });
      expect(s.environment!.NATS_CREDS).toBe('/creds/nats.creds');
      const mounts = (s.volumes ?? []).filter((v) => v.includes(':/creds'));
      // Its own credentials volume, read-only; never the trust chain's, nor another service's.
      expect(mounts).toEqual([`creds-${name}:/creds:ro`]);
      expect((s.volumes ?? []).some((v) => v.startsWith('nats-auth:'))).toBe(false);
      expect(init.volumes).toContain(`creds-${name}:${init.environment!.CREDS_DIR}/${name}`);
    }
    for (const v of ['nats-auth', 'creds-network-manager', 'creds-compute-manager', 'creds-host-agent'])
      expect(compose.volumes).toHaveProperty(v);
    // The image carries the init script and what it imports.
    const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/COPY docker\/nats-auth-init\.mjs docker\//);
    expect(dockerfile).toMatch(/COPY scripts\/lib\/nats-auth\.mjs scripts\/lib\//);
  });

  it("writes each service's volume with its files only, 0600, and a configuration nats-server takes", async () => {
    expect(runInit()).toMatch(/nats auth: operator O[A-Z2-7]+, account A[A-Z2-7]+/);
    const expected = {
      'network-manager': ['nats.creds'],
      'compute-manager': ['nats.creds', 'sys.creds', 'operator-signer.nk'],
      'host-agent': ['nats.creds', 'host-signer.nk'],
    };
    for (const name of SERVICES) {
      const files = Object.entries(serviceEnv(name)).filter(([k, v]) => k !== 'NATS_URL' && v);
      expect(files.map(([, v]) => v.split('/').pop()).sort()).toEqual([...expected[name]].sort());
      for (const [, file] of files) expect(statSync(file).mode & 0o777).toBe(0o600);
      // No seed of another principal in its volume.
      expect(existsSync(join(hostPath(name, '/creds'), 'account.nk'))).toBe(false);
      expect(existsSync(join(hostPath(name, '/creds'), 'admin.creds'))).toBe(false);
    }
    await startNode();
    await expect(connect({ servers: natsUrl })).rejects.toThrow(/Authorization Violation/);
  });

  it('the services run on those credentials alone: hosts get theirs, a push converges, a revocation holds across a second up', async () => {
    const nm = await stack.startService('network-manager', serviceEnv('network-manager'));
    cm = await stack.startService('compute-manager', serviceEnv('compute-manager'));
    await stack.startService('host-agent', { ...serviceEnv('host-agent'), HOSTS: '2' });
    const compute = api(cm.url);
    await eventually(
      async () =>
        (await compute.get('/hosts')).body.filter((h: { connectionState: string }) => h.connectionState === 'connected')
          .length === 2,
      30000,
      'both hosts connected to the compute manager',
    );
    // The host agent minted its hosts' credentials with the key from its volume (account: that of its creds).
    const hostCreds = (h: string) => readFileSync(join(stack.dir, 'data', 'hosts', h, 'nats.creds'), 'utf8');
    const asHost = (h: string) =>
      connect({
        servers: natsUrl,
        authenticator: credsAuthenticator(Buffer.from(hostCreds(h))),
        inboxPrefix: `_INBOX_hosts.${h}`,
      });
    await (await asHost('host-1')).close();
    const sw = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] });
    expect((await taskEnd(compute, sw.body.taskId)).state).toBe('succeeded');
    const zone = await api(nm.url).post('/transport-zones', { name: 'z' });
    expect(zone.status).toBe(201);

    // Revocation works with the system credentials and operator signing key of the compute manager's volume.
    const revoked = await compute.post('/hosts/host-2/credentials/revoke', { credentials: hostCreds('host-2') });
    expect(revoked.status).toBe(200);
    await expect(asHost('host-2')).rejects.toThrow(/Authorization Violation/);

    // A second `up`: the init runs again (JWTs issued again, the revocation read from nats-1's resolver), the node restarts.
    const operatorKey = () => decode<Operator>(readFileSync(join(initEnv().AUTH_DIR, 'auth', 'operator.jwt'), 'utf8')).sub;
    const operator = operatorKey();
    await stop(nats!);
    runInit();
    await startNode();
    await expect(asHost('host-2')).rejects.toThrow(/Authorization Violation/);
    await (await asHost('host-1')).close();
    // Same trust chain: the keys are kept, so the hosts' credentials minted before still work.
    expect(operatorKey()).toBe(operator);
    await eventually(
      async () => (await compute.get('/hosts/host-1')).body.connectionState === 'connected',
      30000,
      'host-1 back after the node restarted',
    );
  });
});
