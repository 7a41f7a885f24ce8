import { jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { createAccount, createOperator, createUser, encodeAccount, encodeUser, fmtCreds } from '@nats-io/jwt';
import {
  connect,
  credsAuthenticator,
  usernamePasswordAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import { type HostReport } from '@vnet/contracts';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { grantServiceSchemas } from '../scripts/lib/stack.mjs';
import { readLog } from './harness/event-log.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { testDatabaseRoles, testServers } from './harness/servers.js';
import { parsePrometheusText, sum } from './harness/prometheus-text.js';

jest.setTimeout(60000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * CONTRACT §7: the bus refuses anonymous and wrongly authenticated clients; a host's credentials let
 * it do only what a host does, checked by nats-server itself; a manager takes a report's host from
 * its subject, not its body; revoked credentials are useless; each manager's database role reaches
 * only its own schema.
 */
describe('security of the bus and of the databases', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let network: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let agent: ReturnType<typeof api>;
  let admin: NatsConnection;
  let zoneId: string;
  const hostCredsFile = (hostId: string) => join(stack.dir, 'data', 'hosts', hostId, 'nats.creds');

  /** Connects as host `hostId` with its own creds file, collecting what the server says it refused. */
  const asHost = async (hostId: string, extra: Partial<ConnectionOptions> = {}) => {
    const nc = await connect({
      servers: stack.nats.url,
      authenticator: credsAuthenticator(readFileSync(hostCredsFile(hostId))),
      inboxPrefix: `_INBOX_hosts.${hostId}`,
      ...extra,
    });
    const refused: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'error') refused.push(String((s as { error?: Error }).error?.message));
    })();
    return { nc, refused };
  };

  /** Every event of a manager's log, counted through its API. */
  const eventCount = async (service: ReturnType<typeof api>) => {
    let n = 0;
    let after: number | null = 0;
    while (after !== null) {
      const page: { events: unknown[]; next: number | null } = (await service.get(`/events?after=${after}&limit=1000`)).body;
      n += page.events.length;
      after = page.next;
    }
    return n;
  };
  /** Both logs' sizes once nothing moves for a second. */
  const settledCounts = async () => {
    let last = '';
    for (;;) {
      const now = JSON.stringify([await eventCount(network), await eventCount(compute)]);
      if (now === last) return now;
      last = now;
      await sleep(1000);
    }
  };
  const deadLetters = async (service: RunningService) => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    return sum(parsePrometheusText(text), 'vnet_dead_letters_total');
  };

  beforeAll(async () => {
    await stack.start();
    [nm, cm] = await Promise.all([stack.startService('network-manager'), stack.startService('compute-manager')]);
    ha = await stack.startService('host-agent', { HOSTS: '2' });
    network = api(nm.url);
    compute = api(cm.url);
    agent = api(ha.url);
    admin = await connect(await stack.natsOptions());
    zoneId = (await network.post('/transport-zones', { name: 'z' })).body.id;
    for (const hostId of ['host-1', 'host-2']) await network.post('/transport-nodes', { hostId, transportZoneIds: [zoneId] });
    await eventually(
      async () => (await compute.get('/hosts')).body.length === 2,
      20000,
      'both hosts known to the compute manager',
    );
  }, 120000);
  afterAll(async () => {
    await admin?.close();
    await stack.stop();
  }, 30000);

  it('refuses anonymous clients, wrong passwords and JWTs no trusted operator signed', async () => {
    await expect(connect({ servers: stack.nats.url })).rejects.toThrow(/Authorization Violation/);
    await expect(
      connect({ servers: stack.nats.url, authenticator: usernamePasswordAuthenticator('admin', 'wrong') }),
    ).rejects.toThrow(/Authorization Violation/);
    // A complete chain of our own making: operator, account, user. The server trusts none of it.
    const operator = createOperator();
    const account = createAccount();
    await encodeAccount('rogue', account, {}, { signer: operator });
    const user = createUser();
    const rogue = await encodeUser('host-1', user, account);
    await expect(connect({ servers: stack.nats.url, authenticator: credsAuthenticator(fmtCreds(rogue, user)) })).rejects.toThrow(
      /Authorization Violation/,
    );
    // host-1's real JWT with another key: the server's nonce is signed by the wrong seed.
    const real = /-----BEGIN NATS USER JWT-----\s+(\S+)/.exec(readFileSync(hostCredsFile('host-1'), 'utf8'))![1];
    await expect(
      connect({ servers: stack.nats.url, authenticator: credsAuthenticator(fmtCreds(real, createUser())) }),
    ).rejects.toThrow(/Authorization Violation/);
  });

  it("writes each host's credentials in its own directory, mode 0600, in the standard .creds format", async () => {
    for (const hostId of ['host-1', 'host-2']) {
      const file = hostCredsFile(hostId);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toMatch(/-----BEGIN NATS USER JWT-----[\s\S]+-----BEGIN USER NKEY SEED-----/);
    }
    const { nc } = await asHost('host-1');
    // What a host does: a round trip of its own, and reading its own desired state.
    const reply = await nc.request(
      'cm.heartbeat.host-1',
      JSON.stringify({ hostId: 'host-1', bootId: 'sec', sentAt: new Date().toISOString() }),
    );
    expect(reply.json<{ ok: boolean }>().ok).toBe(true);
    await nc.close();
  });

  it("with host-1's credentials the server refuses everything a host may not do, and neither manager changes", async () => {
    const before = await settledCounts();
    const { nc, refused } = await asHost('host-1');

    const everything = nc.subscribe('>');
    const report: HostReport = {
      hostId: 'host-2',
      bootId: 'forged',
      seq: 1,
      upserted: [],
      removed: [],
      sentAt: new Date().toISOString(),
    };
    nc.publish('hosts.host-2.report', JSON.stringify(report));
    nc.publish(`$KV.vnet-switches.forged`, JSON.stringify({ id: 'forged' }));
    nc.publish(`$KV.vnet-logical-networks.${zoneId}.0f8b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d`, JSON.stringify({ id: 'forged' }));
    nc.publish('$KV.vnet-host-ports.host-1', JSON.stringify({ hostId: 'host-1', revision: 999, ports: [] }));
    await expect(nc.request('$JS.API.STREAM.DELETE.EVENTS_COMPUTE_MANAGER', '', { timeout: 2000 })).rejects.toThrow(
      /Permissions Violation/,
    );
    await expect(nc.request('$JS.API.STREAM.DELETE.KV_vnet-switches', '', { timeout: 2000 })).rejects.toThrow(
      /Permissions Violation/,
    );
    await expect(nc.request('$JS.API.CONSUMER.CREATE.HOST_REPORTS', '{}', { timeout: 2000 })).rejects.toThrow(
      /Permissions Violation/,
    );
    await expect(
      nc.request('$JS.API.CONSUMER.CREATE.KV_vnet-host-ports.x.$KV.vnet-host-ports.host-2', '{}', { timeout: 2000 }),
    ).rejects.toThrow(/Permissions Violation/);
    await expect(nc.request('$JS.API.STREAM.CREATE.MINE', '{}', { timeout: 2000 })).rejects.toThrow(/Permissions Violation/);
    await nc.flush();
    await eventually(async () => refused.length >= 5, 5000, 'the server to answer every refused publish');
    expect(await everything.closed).toBeInstanceOf(Error);
    expect(refused).toEqual(
      expect.arrayContaining([
        'Permissions Violation for Subscription to ">"',
        'Permissions Violation for Publish to "hosts.host-2.report"',
        'Permissions Violation for Publish to "$KV.vnet-switches.forged"',
        `Permissions Violation for Publish to "$KV.vnet-logical-networks.${zoneId}.0f8b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"`,
        'Permissions Violation for Publish to "$KV.vnet-host-ports.host-1"',
      ]),
    );
    await nc.close();

    // Nothing was touched: the streams are there, no entry was written, and neither log moved.
    const jsm = await jetstream(admin).jetstreamManager();
    expect((await jsm.streams.info('EVENTS_COMPUTE_MANAGER')).config.name).toBe('EVENTS_COMPUTE_MANAGER');
    expect((await jsm.streams.info('KV_vnet-switches')).state.messages).toBe(0);
    expect((await jsm.consumers.list('HOST_REPORTS').next()).map((c) => c.name)).not.toContain('x');
    await sleep(1000);
    expect(await settledCounts()).toBe(before);
  });

  it('refuses a construct put by anyone but the network manager; such a network reaches no host and not the compute manager', async () => {
    const forgedId = '9e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b';
    const construct = {
      id: forgedId,
      name: 'forged',
      vni: 4242,
      mtu: 1500,
      transportZoneId: zoneId,
      revision: 1,
      owner: 'network-manager',
    };
    for (const principal of ['compute-manager', 'host-agent'] as const) {
      const nc = await connect(await stack.natsOptions(principal));
      const refused: string[] = [];
      void (async () => {
        for await (const s of nc.status()) if (s.type === 'error') refused.push(String((s as { error?: Error }).error?.message));
      })();
      nc.publish(`$KV.vnet-logical-networks.${zoneId}.${forgedId}`, JSON.stringify(construct));
      nc.publish('$KV.vnet-transport-nodes.host-1', JSON.stringify({ hostId: 'host-1', transportZoneIds: [] }));
      await nc.flush();
      await eventually(async () => refused.length >= 2, 5000, `${principal}'s forged puts to be refused`);
      expect(refused).toEqual([
        `Permissions Violation for Publish to "$KV.vnet-logical-networks.${zoneId}.${forgedId}"`,
        'Permissions Violation for Publish to "$KV.vnet-transport-nodes.host-1"',
      ]);
      await nc.close();
    }
    // The network manager, likewise, cannot write the compute manager's state.
    const nmc = await connect(await stack.natsOptions('network-manager'));
    const nmRefused: string[] = [];
    void (async () => {
      for await (const s of nmc.status()) if (s.type === 'error') nmRefused.push(String((s as { error?: Error }).error?.message));
    })();
    nmc.publish('$KV.vnet-switches.forged', '{}');
    await nmc.flush();
    await eventually(async () => nmRefused.length >= 1, 5000, "the network manager's switch put to be refused");
    expect(nmRefused).toEqual(['Permissions Violation for Publish to "$KV.vnet-switches.forged"']);
    await nmc.close();

    await sleep(1500);
    for (const hostId of ['host-1', 'host-2']) {
      expect((await agent.get(`/hosts/${hostId}/logical-networks`)).body).toEqual([]);
    }
    expect((await compute.get(`/logical-networks/${forgedId}`)).status).toBe(404);
    expect((await network.get(`/logical-networks/${forgedId}`)).status).toBe(404);
  });

  it('dead-letters a report whose body names another host than the subject it came on, and changes nothing', async () => {
    const before = await settledCounts();
    const [nmDead, cmDead] = [await deadLetters(nm), await deadLetters(cm)];
    const { nc } = await asHost('host-1');
    const forged: HostReport = {
      hostId: 'host-2',
      bootId: 'forged',
      seq: 1,
      held: [],
      upserted: [
        {
          id: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
          name: 'forged',
          vni: 4343,
          mtu: 1500,
          transportZoneId: zoneId,
          revision: 1,
          owner: 'network-manager',
        },
      ],
      removed: [],
      sentAt: new Date().toISOString(),
    };
    await jetstream(nc).publish('hosts.host-1.report', JSON.stringify(forged), { msgID: 'host-1:forged:1' });
    await nc.close();
    await eventually(
      async () => (await deadLetters(nm)) > nmDead && (await deadLetters(cm)) > cmDead,
      15000,
      'both managers to dead-letter it',
    );
    expect(await settledCounts()).toBe(before);
    expect((await compute.get('/hosts/host-2')).body.logicalNetworks).toEqual([]);
    expect((await compute.get('/logical-networks/5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e')).status).toBe(404);
    expect(cm.logs() + nm.logs()).toMatch(/report names host host-2 but came from host host-1/);
  });

  it("each manager's database role reaches only its own schema, and neither is a superuser", async () => {
    const urls = await grantServiceSchemas(
      testServers().databaseUrl,
      new URL(stack.databaseUrl).pathname.slice(1),
      testDatabaseRoles(),
    );
    const as = async (url: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    };
    const nmDb = await as(urls['network-manager']);
    const cmDb = await as(urls['compute-manager']);
    try {
      await expect(nmDb.query('SELECT count(*) FROM compute_manager.events')).rejects.toThrow(/permission denied/);
      await expect(cmDb.query('SELECT count(*) FROM network_manager.events')).rejects.toThrow(/permission denied/);
      expect((await nmDb.query('SELECT count(*)::int AS n FROM network_manager.events')).rows[0].n).toBeGreaterThan(0);
      for (const c of [nmDb, cmDb]) {
        const { rows } = await c.query('SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user');
        expect(rows).toEqual([{ rolsuper: false, rolcreatedb: false, rolcreaterole: false }]);
        await expect(c.query('CREATE SCHEMA elsewhere')).rejects.toThrow(/permission denied/);
      }
    } finally {
      await Promise.all([nmDb.end(), cmDb.end()]);
    }
    const wrong = new URL(urls['network-manager']);
    wrong.password = 'not-the-password';
    await expect(as(wrong.toString())).rejects.toThrow(/password authentication failed/);
  });

  it('revocations of many hosts at once, each asked twice, are all kept: one event per user, every one refused', async () => {
    const hosts = Array.from({ length: 6 }, (_, i) => `revoked-${i + 1}`);
    for (const hostId of hosts) expect((await agent.post('/hosts', { hostId })).status).toBe(201);
    const creds = new Map(hosts.map((h) => [h, readFileSync(hostCredsFile(h), 'utf8')]));
    // 12 requests in flight together: each account update must start from the one before it.
    const answers = await Promise.all(
      [...hosts, ...hosts].map((hostId) => compute.post(`/hosts/${hostId}/credentials/revoke`, { credentials: creds.get(hostId) })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    for (const hostId of hosts) {
      const mine = answers.filter((a) => a.body.hostId === hostId).map((a) => a.body);
      expect(mine.map((b) => b.alreadyRevoked).sort()).toEqual([false, true]);
      expect(new Set(mine.map((b) => `${b.userKey} ${b.revokedAt}`)).size).toBe(1);
      const listed = (await compute.get(`/hosts/${hostId}/credentials/revocations`)).body;
      expect(listed.map((r: { userKey: string }) => r.userKey)).toEqual([mine[0].userKey]);
      const recorded = await readLog(compute, `streamId=${hostId}&type=HostCredentialsRevoked`);
      expect(recorded).toHaveLength(1);
    }
    for (const hostId of hosts) {
      await expect(
        connect({ servers: stack.nats.url, authenticator: credsAuthenticator(Buffer.from(creds.get(hostId)!)), maxReconnectAttempts: 0 }),
      ).rejects.toThrow(/Authorization Violation/);
    }
  });

  it("revoking a host's credentials on the compute manager makes them useless, at once and for good", async () => {
    const creds = readFileSync(hostCredsFile('host-2'), 'utf8');
    // Only the host's own credentials qualify.
    const wrongHost = await compute.post('/hosts/host-1/credentials/revoke', { credentials: creds });
    expect(wrongHost.status).toBe(400);
    expect(wrongHost.body.message).toMatch(/credentials/);
    const service = await compute.post('/hosts/host-2/credentials/revoke', {
      credentials: readFileSync(stack.nats.auth.creds['network-manager'], 'utf8'),
    });
    expect(service.status).toBe(400);

    const { nc } = await asHost('host-2', { maxReconnectAttempts: 0 });
    const closed = nc.closed();
    const res = await compute.post('/hosts/host-2/credentials/revoke', { credentials: creds });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ hostId: 'host-2', userKey: expect.stringMatching(/^U/) });
    // The open connection is closed by the server, and a new one refused.
    await closed;
    await expect(connect({ servers: stack.nats.url, authenticator: credsAuthenticator(Buffer.from(creds)) })).rejects.toThrow(
      /Authorization Violation/,
    );
    // host-1 is untouched.
    const { nc: other } = await asHost('host-1');
    await other.close();
    // A NATS restart keeps the revocation (the resolver holds the account JWT).
    await stack.restartNats();
    await expect(connect({ servers: stack.nats.url, authenticator: credsAuthenticator(Buffer.from(creds)) })).rejects.toThrow(
      /Authorization Violation/,
    );
  });
});
