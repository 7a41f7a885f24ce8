import { jest } from '@jest/globals';
import { decode, type User } from '@nats-io/jwt';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Waits for hosts and tasks (20 s at most each), and for the server to close a revoked connection.
jest.setTimeout(90000);

const HOST = 'hv-1';
const ALICE = 'alice-admin-token-1';

/** POST /admin/rebuild, following a 202 until the rebuild has ended. */
async function rebuild(client: ReturnType<typeof api>): Promise<void> {
  const res = await client.post('/admin/rebuild');
  if (res.status === 200) return;
  expect(res.status).toBe(202);
  const ended = await eventually(
    async () => {
      const t = (await client.get(`/admin/rebuilds/${res.body.id}`)).body;
      return t.state !== 'running' && t;
    },
    60000,
    'the rebuild to end',
  );
  expect(ended.state).toBe('succeeded');
}

interface Connz {
  data?: { connections?: Array<{ name?: string; authorized_user?: string; name_tag?: string; account?: string }> };
}

/**
 * A host agent serving one host (HOST_ID), as on a real hypervisor, is that host on the bus: it
 * connects with the host's own credentials, which it was given and cannot widen (no signing key),
 * converges on what the managers push, and the server refuses it anything of another host. Revoking
 * those credentials cuts it off and is recorded in the compute manager's log.
 */
describe('a single-host agent (HOST_ID) connects as its own host', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let network: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let agent: ReturnType<typeof api>;
  let sys: NatsConnection;
  let credsFile: string;
  let userKey: string;

  /** The agent's connections as the server sees them (the system account's view). */
  const agentConnections = async () => {
    const replies = await sys.requestMany('$SYS.REQ.SERVER.PING.CONNZ', JSON.stringify({ auth: true }), { maxWait: 2000 });
    const connections = [];
    for await (const m of replies) connections.push(...(m.json<Connz>().data?.connections ?? []));
    return connections.filter((c) => c.name === 'host-agent');
  };

  beforeAll(async () => {
    await stack.start();
    const tokensFile = join(stack.dir, 'tokens.json');
    writeFileSync(tokensFile, JSON.stringify([{ name: 'alice', token: ALICE, role: 'admin' }]));
    [nm, cm] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager', { ADMIN_TOKENS_FILE: tokensFile }),
    ]);
    // Provisioned as the README says for a real hypervisor: the host's credentials minted with the
    // account's scoped key for hosts and placed in its directory. The agent gets neither that key nor
    // any other credentials.
    const hostDir = join(stack.dir, 'data', 'hosts', HOST);
    mkdirSync(hostDir, { recursive: true });
    credsFile = join(hostDir, 'nats.creds');
    execFileSync(process.execPath, ['scripts/lib/nats-auth.mjs', join(stack.dir, 'nats'), '--host', HOST, credsFile], {
      stdio: 'pipe',
    });
    expect(statSync(credsFile).mode & 0o777).toBe(0o600);
    userKey = decode<User>(/-----BEGIN NATS USER JWT-----\s+(\S+)/.exec(readFileSync(credsFile, 'utf8'))![1]).sub;
    ha = await stack.startService('host-agent', { HOST_ID: HOST, NATS_CREDS: '', NATS_HOST_SIGNING_KEY: '', NATS_ACCOUNT: '' });
    network = api(nm.url);
    compute = api(cm.url);
    agent = api(ha.url);
    sys = await connect(await stack.natsOptions('sys'));
    await eventually(
      async () => (await compute.get(`/hosts/${HOST}`)).body.connectionState === 'connected',
      20000,
      `${HOST} connected to the compute manager`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the agent's log ends:\n${ha.logs().slice(-3000)}`);
    });
  }, 120000);
  afterAll(async () => {
    await sys?.close();
    await stack.stop();
  }, 60000);

  it("is connected to the server as the host's own user, not as the host agent of many hosts", async () => {
    const hostAgentUser = decode<User>(
      /-----BEGIN NATS USER JWT-----\s+(\S+)/.exec(readFileSync(stack.nats.auth.creds['host-agent'], 'utf8'))![1],
    ).sub;
    const connections = await agentConnections();
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ authorized_user: userKey, account: stack.nats.auth.account });
    expect(connections[0].authorized_user).not.toBe(hostAgentUser);
  });

  it('converges on a push of both managers, on its own subjects only', async () => {
    const zone = (await network.post('/transport-zones', { name: 'overlay' })).body.id;
    expect((await network.post('/transport-nodes', { hostId: HOST, transportZoneIds: [zone] })).status).toBe(201);
    const net = (await network.post('/logical-networks', { name: 'web', transportZoneId: zone })).body;
    await eventually(
      async () => (await agent.get(`/hosts/${HOST}/logical-networks`)).body.some((c: { id: string }) => c.id === net.id),
      20000,
      'the network on the host',
    );
    // Its report, sent on its own subject, reached the compute manager.
    await eventually(
      async () => (await compute.get(`/hosts/${HOST}`)).body.logicalNetworks.includes(net.id),
      20000,
      'the compute manager to learn it from the host',
    );
    const sw = await compute.post('/switches', { name: 'dvs', hostIds: [HOST] });
    expect(sw.status).toBe(201);
    expect((await taskEnd(compute, sw.body.taskId)).state).toBe('succeeded');
    const pg = await compute.post(`/switches/${sw.body.id}/port-groups`, { name: 'web', vlanId: 10 });
    expect(pg.status).toBe(202);
    const ended = await taskEnd(compute, pg.body.taskId);
    expect(ended).toMatchObject({ state: 'succeeded', hosts: { [HOST]: { state: 'succeeded' } } });
    // Whatever it did, the server refused it nothing: it only ever asked for what its host may.
    expect(ha.logs()).not.toMatch(/Permissions Violation/i);
  });

  it("cannot act as another host: with its credentials the server refuses another host's subjects", async () => {
    const nc = await connect({
      servers: stack.nats.url,
      authenticator: credsAuthenticator(readFileSync(credsFile)),
      inboxPrefix: `_INBOX_hosts.${HOST}`,
    });
    const refused: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'error') refused.push(String((s as { error?: Error }).error?.message));
    })();
    try {
      nc.publish(
        'hosts.hv-2.report',
        JSON.stringify({ hostId: 'hv-2', bootId: 'b', seq: 1, upserted: [], removed: [], sentAt: new Date().toISOString() }),
      );
      nc.publish('cm.status.hv-2', '{}');
      const other = nc.subscribe('_INBOX_host-agent.>');
      await expect(nc.request('cm.heartbeat.hv-2', '{}', { timeout: 2000 })).rejects.toThrow(/Permissions Violation/);
      await expect(
        nc.request('$JS.API.CONSUMER.CREATE.KV_vnet-transport-nodes.x.$KV.vnet-transport-nodes.hv-2', '{}', { timeout: 2000 }),
      ).rejects.toThrow(/Permissions Violation/);
      await nc.flush();
      await eventually(async () => refused.length >= 3, 5000, 'the server to refuse the publishes and the subscription');
      expect(await other.closed).toBeInstanceOf(Error);
      expect(refused).toEqual(
        expect.arrayContaining([
          'Permissions Violation for Publish to "hosts.hv-2.report"',
          'Permissions Violation for Publish to "cm.status.hv-2"',
          'Permissions Violation for Subscription to "_INBOX_host-agent.>"',
        ]),
      );
    } finally {
      await nc.close();
    }
    // Nor does the agent take another host on.
    expect((await agent.post('/hosts', { hostId: 'hv-2' })).body.code).toBe('SINGLE_HOST_AGENT');
    expect((await compute.get('/hosts/hv-2')).status).toBe(404);
  });

  it('refuses to start with credentials that are not its host’s', async () => {
    // The union principal of the simulated hosts (what the harness gives a host agent by default).
    const start = stack.startService('host-agent', { HOST_ID: 'hv-3' });
    await expect(start).rejects.toThrow(/credentials of \\?"host-agent\\?", not of host hv-3/);
  });

  it('revoking its credentials cuts it off, and is recorded once, with actor and correlation id, surviving a rebuild', async () => {
    const alice = api(cm.url, ALICE);
    const creds = readFileSync(credsFile, 'utf8');
    const res = await alice.post(
      `/hosts/${HOST}/credentials/revoke`,
      { credentials: creds },
      { 'X-Correlation-Id': 'revoke-hv-1' },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ hostId: HOST, userKey, alreadyRevoked: false });
    // The server closes the agent's connection and refuses it from then on: the agent is off the bus.
    await eventually(async () => (await agentConnections()).length === 0, 20000, "the agent's connection to be closed");
    await eventually(
      async () => (await compute.get(`/hosts/${HOST}`)).body.connectionState === 'disconnected',
      30000,
      `${HOST} to be seen disconnected`,
    );
    // It keeps serving what it holds from its store.
    expect((await agent.get(`/hosts/${HOST}`)).status).toBe(200);

    const recorded = await readLog(compute, `streamId=${HOST}&type=HostCredentialsRevoked`);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      streamId: HOST,
      data: { hostId: HOST, userKey, revokedAt: res.body.revokedAt },
      metadata: { actor: 'alice', correlationId: 'revoke-hv-1' },
    });
    // Revoking the same credentials again records nothing and says so.
    const again = await compute.post(`/hosts/${HOST}/credentials/revoke`, { credentials: creds });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...res.body, alreadyRevoked: true });
    expect(await readLog(compute, `streamId=${HOST}&type=HostCredentialsRevoked`)).toHaveLength(1);
    const revocations = [{ userKey, revokedAt: res.body.revokedAt }];
    expect((await compute.get(`/hosts/${HOST}/credentials/revocations`)).body).toEqual(revocations);

    // The log and the read models rebuilt from it keep it.
    const host = (await compute.get(`/hosts/${HOST}`)).body;
    await rebuild(compute);
    expect((await compute.get(`/hosts/${HOST}/credentials/revocations`)).body).toEqual(revocations);
    expect((await compute.get(`/hosts/${HOST}`)).body.logicalNetworks).toEqual(host.logicalNetworks);
    expect((await compute.post(`/hosts/${HOST}/credentials/revoke`, { credentials: creds })).body.alreadyRevoked).toBe(true);
    expect(await readLog(compute, `streamId=${HOST}&type=HostCredentialsRevoked`)).toHaveLength(1);
    expect((await compute.get('/hosts/hv-404/credentials/revocations')).status).toBe(404);
  });
});
