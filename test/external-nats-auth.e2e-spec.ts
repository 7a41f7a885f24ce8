import { jest } from '@jest/globals';
import { decode, type User } from '@nats-io/jwt';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findNatsServer, freePort } from '../scripts/lib/stack.mjs';
import { api, eventually, SuiteStack } from './harness/stack.js';

jest.setTimeout(90000);

const ROOT = resolve(import.meta.dirname, '..');
const userOf = (creds: string) => decode<User>(/-----BEGIN NATS USER JWT-----\s+(\S+)/.exec(readFileSync(creds, 'utf8'))![1]);

/**
 * README "An existing NATS": `node scripts/lib/nats-auth.mjs <dir>` makes the trust chain, a server
 * of one's own includes `<dir>/auth/server-auth.conf` from its configuration, the services take the
 * printed credentials, and `--host <id> <file>` mints a real hypervisor's credentials, with which a
 * host agent of that one host connects.
 */
describe('an existing NATS server set up as the README says', () => {
  const stack = new SuiteStack();
  let server: ChildProcess | null = null;
  let url = '';
  let sys: NatsConnection | null = null;
  const dir = () => join(stack.dir, 'etc-vnet-nats');
  const creds = (name: string) => join(dir(), 'auth', `${name}.creds`);

  beforeAll(async () => {
    await stack.start();
    const printed = execFileSync(process.execPath, ['scripts/lib/nats-auth.mjs', dir()], { cwd: ROOT, encoding: 'utf8' });
    expect(printed).toContain(`server configuration: ${join(dir(), 'auth', 'server-auth.conf')}`);
    const port = await freePort();
    // The operator's own server configuration, with ours included.
    const config = join(stack.dir, 'nats-server.conf');
    writeFileSync(
      config,
      [
        `listen: "127.0.0.1:${port}"`,
        `jetstream { store_dir: ${JSON.stringify(join(stack.dir, 'js'))} }`,
        `include ${JSON.stringify(`./etc-vnet-nats/auth/server-auth.conf`)}`,
        '',
      ].join('\n'),
    );
    server = spawn(findNatsServer()!, ['-c', config], { stdio: 'ignore' });
    url = `nats://127.0.0.1:${port}`;
    sys = await eventually(
      () => connect({ servers: url, authenticator: credsAuthenticator(readFileSync(creds('sys'))) }).catch(() => null),
      15000,
      'the server to take connections',
    );
  }, 60000);
  afterAll(async () => {
    await sys?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await stack.stop();
  }, 60000);

  it('refuses anonymous clients and takes each printed principal', async () => {
    await expect(connect({ servers: url })).rejects.toThrow(/Authorization Violation/);
    for (const name of ['network-manager', 'compute-manager', 'host-agent', 'admin']) {
      const nc = await connect({ servers: url, authenticator: credsAuthenticator(readFileSync(creds(name))) });
      await nc.close();
    }
  });

  it("runs a real hypervisor's agent (HOST_ID) on the credentials `--host` minted, as that host", async () => {
    const file = join(stack.dir, 'hv-7.creds');
    execFileSync(process.execPath, ['scripts/lib/nats-auth.mjs', dir(), '--host', 'hv-7', file], { cwd: ROOT });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(userOf(file)).toMatchObject({
      name: 'hv-7',
      nats: { issuer_account: userOf(creds('host-agent')).nats.issuer_account },
    });
    const ha = await stack.startService('host-agent', {
      HOST_ID: 'hv-7',
      NATS_URL: url,
      NATS_CREDS: file,
      NATS_HOST_SIGNING_KEY: '',
      NATS_ACCOUNT: '',
    });
    expect((await api(ha.url).get('/hosts')).body.map((h: { hostId: string }) => h.hostId)).toEqual(['hv-7']);
    const connz = async () => {
      const connections: Array<{ name?: string; authorized_user?: string }> = [];
      for await (const m of await sys!.requestMany('$SYS.REQ.SERVER.PING.CONNZ', JSON.stringify({ auth: true }), {
        maxWait: 2000,
      }))
        connections.push(...(m.json<{ data?: { connections?: typeof connections } }>().data?.connections ?? []));
      return connections.filter((c) => c.name === 'host-agent');
    };
    const seen = await eventually(
      async () => {
        const c = await connz();
        return c.length === 1 && c;
      },
      15000,
      'the agent connected',
    );
    expect(seen[0].authorized_user).toBe(userOf(file).sub);
  });
});
