import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeServicesFile } from '../scripts/lib/endpoints.mjs';
import { ADMIN_TOKEN, api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { testServers } from './harness/servers.js';

// Each command is a process of its own on a loaded machine; a task waits for hosts.
jest.setTimeout(120000);

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'tools', 'vnetctl', 'bin', 'vnetctl.js');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The README's vnetctl examples: the lines of the fenced block under its marker comment. */
function readmeExamples(): string[] {
  const marker = README.indexOf('<!-- vnetctl-examples');
  if (marker < 0) throw new Error('README.md has no vnetctl-examples block');
  const block = README.slice(marker).match(/```sh\n([\s\S]*?)```/);
  if (!block) throw new Error('the vnetctl-examples marker is not followed by a sh block');
  return block[1]
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** A command line split as a shell would (quotes, no expansion). */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m; (m = re.exec(line));) out.push(m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]);
  return out;
}

function spawnRun(cmd: string, args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/**
 * vnetctl, the built binary, run as an operator runs it, against a real stack: discovery from the data
 * directory npm start writes (and from flags and variables), tables, --json, errors and exit codes,
 * tasks followed to their end, the audit filters of the event logs, and one command or more of every
 * object family; the README's examples are run exactly as it shows them.
 */
describe('vnetctl', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let net: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let agent: ReturnType<typeof api>;
  /** What npm start leaves in VNET_DATA_DIR: the token and the services' URLs. */
  let dataDir: string;
  /** A directory with no .vnet above it, so that only what a test gives is found. */
  let elsewhere: string;

  const baseEnv = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? elsewhere,
    // npx must run the checkout's own bin, never fetch a package of that name.
    npm_config_yes: 'false',
    npm_config_update_notifier: 'false',
  });
  /** The binary with only the data directory to go by. */
  const vnetctl = (args: string[], env: Record<string, string> = { VNET_DATA_DIR: dataDir }) =>
    spawnRun(process.execPath, [BIN, ...args], { ...baseEnv(), ...env }, elsewhere);
  const ok = async (args: string[]) => {
    const r = await vnetctl(args);
    if (r.code !== 0) throw new Error(`vnetctl ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const json = async <T = any>(args: string[]): Promise<T> => JSON.parse((await ok(['--json', ...args])).stdout);

  beforeAll(async () => {
    await stack.start();
    [nm, cm] = await Promise.all([
      stack.startService('network-manager'),
      // A host that never answers fails its task in 5 s rather than the default 15 s.
      stack.startService('compute-manager', { TASK_TIMEOUT_MS: '5000' }),
    ]);
    ha = await stack.startService('host-agent', { HOSTS: '3' });
    net = api(nm.url);
    compute = api(cm.url);
    agent = api(ha.url);
    await eventually(
      async () => (await compute.get('/hosts')).body.length === 3,
      20000,
      'the hosts known to the compute manager',
    );
    dataDir = mkdtempSync(join(testServers().dir, 'vnetctl-data-'));
    elsewhere = mkdtempSync(join(testServers().dir, 'vnetctl-cwd-'));
    writeFileSync(join(dataDir, 'admin-token'), `${ADMIN_TOKEN}\n`, { mode: 0o600 });
    writeServicesFile(dataDir, { 'network-manager': nm.url, 'compute-manager': cm.url, 'host-agent': ha.url });
  }, 120000);
  afterAll(async () => {
    await stack.stop();
  }, 30000);

  // The ids the README's placeholders stand for, found the way an operator reads them off earlier output.
  const ids = {
    zone: async () => (await net.get('/transport-zones')).body.find((z: any) => z.name === 'overlay').id,
    network: async () => (await net.get('/logical-networks')).body.find((n: any) => n.name === 'web').id,
    switch: async () => (await compute.get('/switches')).body.find((s: any) => s.name === 'dvs-1').id,
    portGroup: async () =>
      (await compute.get(`/switches/${await ids.switch()}`)).body.portGroups.find((p: any) => p.name === 'web').id,
    dcn: async () => (await compute.get('/dcns')).body.find((d: any) => d.name === 'vm-1').id,
    snapshot: async () => {
      const switchId = await ids.switch();
      return (await compute.get('/snapshots')).body.filter((s: any) => s.switchId === switchId).pop().id;
    },
  };
  const PLACEHOLDERS: Record<string, () => Promise<string>> = {
    '<zone-id>': ids.zone,
    '<network-id>': ids.network,
    '<switch-id>': ids.switch,
    '<port-group-id>': ids.portGroup,
    '<dcn-id>': ids.dcn,
    '<snapshot-id>': ids.snapshot,
  };

  /** What each README example must print (beyond exiting 0). */
  const EXPECTED: Array<[RegExp, (out: string) => void | Promise<void>]> = [
    [
      /^npx vnetctl config$/,
      (out) => {
        expect(out).toContain(`${cm.url} (${join(dataDir, 'services.json')})`);
        expect(out).toContain(`from ${join(dataDir, 'admin-token')}`);
      },
    ],
    [/zones create/, (out) => expect(out).toMatch(/^id\s+[0-9a-f-]{36}\nname\s+overlay$/m)],
    [/networks create/, (out) => expect(out).toMatch(/^mtu\s+9000$/m)],
    [/transport-nodes add host-2/, (out) => expect(out).toMatch(/^host\s+host-2$/m)],
    [/hosts list/, (out) => expect(out).toMatch(/^HOST\s+CONNECTION\s+LASTSEENAT\s+NETWORKS\nhost-1\s+connected/m)],
    [/switches create/, (out) => expect(out).toMatch(/succeeded: 2 applied, 0 rolled back, 0 failed, 2\/2 hosts/)],
    [/port-groups create/, (out) => expect(out).toMatch(/port group [0-9a-f-]{36} \(web\) added[\s\S]*succeeded: 2 applied/)],
    [
      /port-groups update/,
      async (out) => {
        expect(out).toMatch(/succeeded: 2 applied, 0 rolled back, 0 failed, 2\/2 hosts/);
        const pg = (await compute.get(`/switches/${await ids.switch()}`)).body.portGroups[0];
        expect(pg.vlanId).toBe(200);
      },
    ],
    [/dcns attach-nic/, (out) => expect(out).toMatch(/attached to logical [\s\S]*succeeded: 1 applied/)],
    [
      /dcns migrate/,
      async (out) => {
        expect(out).toMatch(/now on host-2/);
        expect((await compute.get(`/dcns/${await ids.dcn()}`)).body.hostId).toBe('host-2');
      },
    ],
    [/snapshots create/, (out) => expect(out).toMatch(/^location\s+\S+/m)],
    [/snapshots restore/, (out) => expect(out).toMatch(/succeeded: 2 applied/)],
    [
      /events --service compute --stream-id/,
      async (out) => {
        expect(out).toMatch(/^POSITION\s+RECORDEDAT\s+TYPE\s+STREAMID\s+ACTOR\s+CORRELATIONID$/m);
        expect(out).toMatch(/SwitchCreated/);
        expect(out).toMatch(/PortGroupReconfigured/);
      },
    ],
    [/agent get host-2/, (out) => expect(out).toMatch(/compute switch [0-9a-f-]{36} revision \d+/)],
    [
      /^npx vnetctl rebuild$/,
      (out) => {
        expect(out).toMatch(/rebuild of the network-manager succeeded: \d+\/\d+ events replayed/);
        expect(out).toMatch(/rebuild of the compute-manager succeeded/);
      },
    ],
    [
      /--json switches get/,
      async (out) => expect(JSON.parse(out)).toEqual((await compute.get(`/switches/${await ids.switch()}`)).body),
    ],
  ];

  it("runs the README's examples as it shows them, finding the stack from VNET_DATA_DIR", async () => {
    const lines = readmeExamples();
    expect(lines.length).toBeGreaterThanOrEqual(15);
    for (const line of lines) {
      expect(line.startsWith('npx vnetctl ')).toBe(true);
      let filled = line;
      for (const [placeholder, find] of Object.entries(PLACEHOLDERS)) {
        if (filled.includes(placeholder)) filled = filled.split(placeholder).join(await find());
      }
      const [npx, ...args] = words(filled);
      const r = await spawnRun(npx, args, { ...baseEnv(), VNET_DATA_DIR: dataDir }, ROOT);
      if (r.code !== 0) throw new Error(`${filled} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
      const checks = EXPECTED.filter(([re]) => re.test(line));
      for (const [, check] of checks) await check(r.stdout);
    }
    // Every expectation above met a README line: none of them is checking nothing.
    for (const [re] of EXPECTED) expect(lines.some((l) => re.test(l))).toBe(true);
    // Eighteen processes through npx, four of them waiting for tasks: minutes on a loaded machine.
  }, 300000);

  it('installs as a bin of its own, as the README says', async () => {
    expect(README).toContain('npm install -g ./tools/vnetctl');
    const prefix = mkdtempSync(join(testServers().dir, 'vnetctl-prefix-'));
    const install = await spawnRun(
      'npm',
      ['install', '-g', '--prefix', prefix, './tools/vnetctl'],
      { ...baseEnv(), npm_config_audit: 'false', npm_config_fund: 'false' },
      ROOT,
    );
    expect(install.code).toBe(0);
    const r = await spawnRun(
      join(prefix, 'bin', 'vnetctl'),
      ['switches', 'list'],
      { ...baseEnv(), VNET_DATA_DIR: dataDir },
      elsewhere,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^ID\s+NAME\s+REVISION\s+MTU\s+HOSTS\s+PORTGROUPS\n[0-9a-f-]{36}\s+dvs-1\s+\d+\s+1500\s+host-1, host-2\s+1$/m,
    );
  });

  it('takes flags and variables over the data directory, and says when it has no token', async () => {
    const flags = await vnetctl(['zones', 'list', '--token', ADMIN_TOKEN, '--network-manager-url', nm.url], {});
    expect(flags.code).toBe(0);
    expect(flags.stdout).toMatch(/^ID\s+NAME\n[0-9a-f-]{36}\s+overlay$/m);

    const viaEnv = await vnetctl(['hosts', 'get', 'host-1'], { VNET_TOKEN: ADMIN_TOKEN, VNET_COMPUTE_MANAGER_URL: cm.url });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toMatch(/^host\s+host-1\nconnection\s+connected/m);

    // A flag beats the data directory's services.json: here it points at nothing.
    const dead = await vnetctl(['switches', 'list', '--compute-manager-url', 'http://127.0.0.1:9']);
    expect(dead.code).toBe(4);
    expect(dead.stderr).toMatch(/cannot reach the compute-manager at http:\/\/127\.0\.0\.1:9/);

    const config = await json(['config']);
    expect(config).toEqual({
      dataDir: { value: dataDir, source: 'VNET_DATA_DIR' },
      services: {
        'network-manager': { value: nm.url, source: join(dataDir, 'services.json') },
        'compute-manager': { value: cm.url, source: join(dataDir, 'services.json') },
        'host-agent': { value: ha.url, source: join(dataDir, 'services.json') },
      },
      token: { source: join(dataDir, 'admin-token') },
    });
    expect(JSON.stringify(config)).not.toContain(ADMIN_TOKEN);

    const empty = mkdtempSync(join(testServers().dir, 'vnetctl-empty-'));
    const none = await vnetctl(['switches', 'list', '--data-dir', empty], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no admin token/);

    const wrong = await vnetctl(['switches', 'list', '--token', 'not-the-token']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: 401 \S+: /m);
  });

  it("shows the service's status, code and message on errors, with distinct exit codes", async () => {
    const unknown = randomUUID();
    const notFound = await vnetctl(['switches', 'get', unknown]);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toMatch(new RegExp(`^error: 404 NOT_FOUND: .*${unknown}`, 'm'));
    expect(notFound.stdout).toBe('');

    const switchId = await ids.switch();
    const badVlan = await vnetctl(['port-groups', 'create', switchId, 'too-high', '--vlan', '5000']);
    expect(badVlan.code).toBe(1);
    expect(badVlan.stderr).toMatch(/^error: 400 VALIDATION_FAILED: .*vlanId/m);
    // --json prints the error body as the service sent it.
    const asJson = await vnetctl(['--json', 'port-groups', 'create', switchId, 'too-high', '--vlan', '5000']);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });

    const inUse = await vnetctl(['zones', 'delete', await ids.zone()]);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/^error: 409 ZONE_IN_USE: /m);

    const usage = await vnetctl(['port-groups', 'create', switchId, 'no-vlan']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/required option '--vlan <vlanId>' not specified/);
    const notANumber = await vnetctl(['port-groups', 'create', switchId, 'x', '--vlan', 'ten']);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toMatch(/--vlan must be an integer, not "ten"/);
    const unknownCommand = await vnetctl(['switchez', 'list']);
    expect(unknownCommand.code).toBe(2);
  });

  it('has --help with the discovery order, the exit codes and examples', async () => {
    // Every command's help is checked in tools/vnetctl/src/program.spec.ts; here, that the binary answers it.
    const top = await ok(['--help']);
    expect(top.stdout).toMatch(/Where vnetctl finds the services and the token/);
    expect(top.stdout).toMatch(/Exit codes:/);
    for (const group of [
      'zones',
      'networks',
      'transport-nodes',
      'hosts',
      'switches',
      'port-groups',
      'dcns',
      'snapshots',
      'extensions',
      'opaque',
      'tasks',
      'events',
      'rebuild',
      'agent',
      'config',
    ]) {
      expect(top.stdout).toMatch(new RegExp(`^  ${group} `, 'm'));
    }
    const leaf = await ok(['port-groups', 'update', '--help']);
    expect(leaf.stdout).toMatch(/--no-wait/);
    expect(leaf.stdout).toMatch(/\nExamples:\n  \$ vnetctl port-groups update /);
  });

  it('follows a task to a failure, lists the hosts that did not succeed and exits 3; --no-wait answers at once', async () => {
    // host-9 is known to the compute manager, but no host agent serves it: it never answers.
    expect((await compute.post('/hosts', { hostId: 'host-9' })).status).toBe(201);
    const failed = await vnetctl(['switches', 'create', 'with-a-dead-host', '--hosts', 'host-1,host-9']);
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/^task [0-9a-f-]{36} \(\S+\) failed: 1 applied, 0 rolled back, 1 failed, 2\/2 hosts$/m);
    expect(failed.stdout).toMatch(/hosts that did not succeed:\nHOST\s+STATE\s+DETAIL\nhost-9\s+failed/);
    // Not a terminal: plain progress lines, no bar drawing.
    expect(failed.stdout).toMatch(/^task [0-9a-f-]{36} running: /m);
    expect(failed.stdout).not.toMatch(/\u001b|\r/);
    expect(failed.stderr).toMatch(/task [0-9a-f-]{36} failed/);

    const switchId = await ids.switch();
    const pgId = await ids.portGroup();
    const started = await json(['port-groups', 'update', switchId, pgId, '--vlan', '300', '--no-wait']);
    expect(started).toEqual({ taskId: expect.any(String), revision: expect.any(Number) });
    const followed = await ok(['tasks', 'get', started.taskId, '--wait']);
    expect(followed.stdout).toMatch(/succeeded: 2 applied, 0 rolled back, 0 failed, 2\/2 hosts/);
    const task = await json(['tasks', 'get', started.taskId]);
    expect(task).toEqual((await compute.get(`/tasks/${started.taskId}`)).body);
    expect(task.state).toBe('succeeded');
    // --json and waiting: the answer, with the task as it ended.
    const waited = await json(['port-groups', 'update', switchId, pgId, '--vlan', '200']);
    expect(waited).toMatchObject({
      taskId: expect.any(String),
      task: { state: 'succeeded', hosts: { 'host-1': { state: 'succeeded' } } },
    });
  });

  it('draws a live bar on a terminal', async () => {
    const switchId = await ids.switch();
    const pgId = await ids.portGroup();
    // `script` gives the command a terminal; its output is what the terminal received.
    const cmd = [process.execPath, BIN, 'port-groups', 'update', switchId, pgId, '--vlan', '250'].map((w) => `'${w}'`).join(' ');
    const r = await spawnRun(
      'script',
      ['-qec', cmd, '/dev/null'],
      { ...baseEnv(), VNET_DATA_DIR: dataDir, TERM: 'xterm' },
      elsewhere,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/task [0-9a-f]{8} .* \d\/2 hosts \| \d applied \| 0 rolled back \| 0 failed/);
    expect(r.stdout).toMatch(/succeeded: 2 applied, 0 rolled back, 0 failed, 2\/2 hosts/);
  });

  it('reads the event logs with the audit filters, a page at a time', async () => {
    const switchId = await ids.switch();
    const all = (await compute.get(`/events?streamId=${switchId}&limit=1000`)).body.events;
    const reconfigured = all.filter((e: any) => e.type === 'PortGroupReconfigured');
    expect(reconfigured.length).toBeGreaterThan(1);

    const byType = await json(['events', '--stream-id', switchId, '--type', 'PortGroupReconfigured']);
    expect(byType.events.map((e: any) => e.position)).toEqual(reconfigured.map((e: any) => e.position));

    const one = reconfigured[0];
    const byCorrelation = await json(['events', '--correlation-id', one.metadata.correlationId]);
    expect(byCorrelation.events.length).toBeGreaterThan(0);
    expect(byCorrelation.events.every((e: any) => e.metadata.correlationId === one.metadata.correlationId)).toBe(true);

    const byActor = await json(['events', '--actor', one.metadata.actor, '--stream-id', switchId, '--limit', '1000']);
    expect(byActor.events.length).toBe(all.filter((e: any) => e.metadata.actor === one.metadata.actor).length);
    const nobody = await json(['events', '--actor', 'nobody-at-all']);
    expect(nobody.events).toEqual([]);

    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await json(['events', '--from', future])).events).toEqual([]);
    const shifted = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
    const within = await json([
      'events',
      '--stream-id',
      switchId,
      '--from',
      shifted(all[0].recordedAt, -1000),
      '--to',
      future,
      '--limit',
      '1000',
    ]);
    expect(within.events.map((e: any) => e.position)).toEqual(all.map((e: any) => e.position));
    expect((await json(['events', '--stream-id', switchId, '--to', shifted(all[0].recordedAt, -1000)])).events).toEqual([]);

    // Paging: a page of one says where the next begins, and --after goes on from there.
    const first = await ok(['events', '--stream-id', switchId, '--limit', '1']);
    expect(first.stdout).toMatch(new RegExp(`^${all[0].position}\\s+\\S+\\s+SwitchCreated\\s+${switchId}\\s`, 'm'));
    expect(first.stdout).toMatch(new RegExp(`^next: ${all[0].position} \\(--after ${all[0].position}\\)$`, 'm'));
    const second = await json(['events', '--stream-id', switchId, '--limit', '1', '--after', String(all[0].position)]);
    expect(second.events.map((e: any) => e.position)).toEqual([all[1].position]);
    const everything = await json(['events', '--stream-id', switchId, '--limit', '2', '--all']);
    expect(everything.events.map((e: any) => e.position)).toEqual(all.map((e: any) => e.position));

    const network = await json(['events', '--service', 'network', '--type', 'LogicalNetworkCreated']);
    expect(network.events.map((e: any) => e.streamId)).toEqual([await ids.network()]);

    const bad = await vnetctl(['events', '--limit', '5000']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: 400 \S+: .*limit/m);
    const badTime = await vnetctl(['events', '--from', 'yesterday']);
    expect(badTime.code).toBe(1);
    expect(badTime.stderr).toMatch(/from must be an ISO 8601 time/);

    const journal = await ok(['agent', 'journal', 'host-2', '--limit', '5']);
    expect(journal.stdout).toMatch(/^POSITION\s+RECORDEDAT\s+TYPE\s+DATA$/m);
    expect(journal.stdout).toMatch(/^next: \d+/m);
  });

  it('covers the network manager: zones, networks with update and revert, transport nodes', async () => {
    const zones = await json(['zones', 'list']);
    expect(zones).toEqual((await net.get('/transport-zones')).body);
    const key = `zone-${randomUUID()}`;
    const spare = await json(['--idempotency-key', key, 'zones', 'create', 'spare']);
    expect(await json(['--idempotency-key', key, 'zones', 'create', 'spare'])).toEqual(spare);
    expect((await net.get('/transport-zones')).body.filter((z: any) => z.name === 'spare')).toHaveLength(1);
    expect((await ok(['zones', 'get', spare.id])).stdout).toMatch(/^name\s+spare$/m);
    expect((await ok(['zones', 'delete', spare.id])).stdout).toMatch(/deleted/);
    expect((await net.get(`/transport-zones/${spare.id}`)).status).toBe(404);

    const networkId = await ids.network();
    const before = await json(['networks', 'get', networkId]);
    expect(before.realizedOn.sort()).toEqual(['host-1', 'host-2']);
    const list = await ok(['networks', 'list']);
    expect(list.stdout).toMatch(
      new RegExp(`^${networkId}\\s+web\\s+\\d+\\s+9000\\s+1\\s+[0-9a-f-]{36}\\s+host-\\d, host-\\d\\s+\\d+$`, 'm'),
    );
    const positionBefore = (await net.get(`/events?streamId=${networkId}`)).body.events.pop().position;

    const stale = await vnetctl(['networks', 'update', networkId, '--mtu', '1400', '--if-match', '7']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^error: 409 VERSION_CONFLICT: /m);
    const updated = await json(['networks', 'update', networkId, '--mtu', '1400', '--if-match', String(before.revision)]);
    expect(updated).toMatchObject({ mtu: 1400, revision: before.revision + 1 });
    const reverted = await ok(['networks', 'revert', networkId, '--to-position', String(positionBefore)]);
    expect(reverted.stdout).toMatch(/^mtu\s+9000$/m);
    expect((await ok(['networks', 'get', networkId, '--as-of', String(positionBefore)])).stdout).toMatch(/^revision\s+1$/m);
    // The compute manager's view, learned from the hosts.
    await eventually(
      async () => (await compute.get(`/logical-networks/${networkId}`)).body.mtu === 9000,
      20000,
      'the reverted network on the hosts',
    );
    const learned = await ok(['networks', 'list', '--learned']);
    expect(learned.stdout).toMatch(new RegExp(`^${networkId}\\s+web\\s+\\d+\\s+9000\\s+\\d+\\s+host-\\d, host-\\d$`, 'm'));

    expect(await json(['transport-nodes', 'list'])).toEqual((await net.get('/transport-nodes')).body);
    const node = await ok(['transport-nodes', 'get', 'host-1']);
    expect(node.stdout).toMatch(new RegExp(`^  ${networkId}\\s+\\d+\\s+(true|false)$`, 'm'));
    const zone2 = (await net.post('/transport-zones', { name: 'other' })).body.id;
    await ok(['transport-nodes', 'add', 'host-3', '--zone', zone2]);
    expect((await ok(['transport-nodes', 'remove-zone', 'host-3', zone2])).stdout).toMatch(`zone ${zone2} removed from host-3`);
    expect((await net.get('/transport-nodes/host-3')).body.transportZoneIds).toEqual([]);
  });

  it('covers hosts in every view, switches, DCNs and snapshots', async () => {
    const everywhere = await ok(['hosts', 'get', 'host-2', '--everywhere']);
    expect(everywhere.stdout).toMatch(/^compute manager\n {2}host\s+host-2\n {2}connection\s+connected/m);
    expect(everywhere.stdout).toMatch(/^network manager \(transport node\)\n {2}host\s+host-2/m);
    expect(everywhere.stdout).toMatch(/^host agent\n {2}host\s+host-2\n {2}management\s+connected/m);
    expect(await json(['agent', 'list'])).toEqual((await agent.get('/hosts')).body);
    const constructs = await ok(['agent', 'networks', 'host-2']);
    expect(constructs.stdout).toMatch(new RegExp(`^${await ids.network()}\\s+web\\s`, 'm'));

    const switchId = await ids.switch();
    const added = await ok(['switches', 'add-host', switchId, 'host-3']);
    expect(added.stdout).toMatch(/succeeded: \d applied, 0 rolled back, 0 failed, /);
    const position = (await compute.get(`/events?streamId=${switchId}&limit=1000`)).body.events.pop().position;
    const mgmt = await ok([
      'port-groups',
      'create',
      switchId,
      'mgmt',
      '--vlan',
      '0',
      '--management',
      '--policy',
      '{"security":{"promiscuous":true,"macChanges":false,"forgedTransmits":false}}',
    ]);
    expect(mgmt.stdout).toMatch(/succeeded: 3 applied/);
    const pgs = await ok(['port-groups', 'list', switchId]);
    expect(pgs.stdout).toMatch(/^[0-9a-f-]{36}\s+mgmt\s+0\s+yes\s+security: promiscuous; teaming: \S+$/m);
    const revert = await ok(['switches', 'revert', switchId, '--to-position', String(position)]);
    expect(revert.stdout).toMatch(/succeeded: 3 applied/);
    expect((await compute.get(`/switches/${switchId}`)).body.portGroups.map((p: any) => p.name)).toEqual(['web']);
    expect((await ok(['switches', 'get', switchId, '--as-of', String(position)])).stdout).toMatch(
      /^hosts\s+host-1, host-2, host-3$/m,
    );

    // A NIC on a port group, and the 409 of a network the host lacks.
    const dcn = await json(['dcns', 'create', 'vm-2', '--host', 'host-3']);
    const nic = await json(['dcns', 'attach-nic', dcn.id, '--port-group', await ids.portGroup()]);
    expect(nic).toMatchObject({ network: { kind: 'port-group' }, task: { state: 'succeeded' } });
    const lacking = await vnetctl(['dcns', 'attach-nic', dcn.id, '--network', await ids.network()]);
    expect(lacking.code).toBe(1);
    expect(lacking.stderr).toMatch(/^error: 409 NETWORK_NOT_ON_HOST: /m);
    const vm1 = await ids.dcn();
    const notOnTarget = await vnetctl(['dcns', 'migrate', vm1, '--to', 'host-3']);
    expect(notOnTarget.code).toBe(1);
    expect(notOnTarget.stderr).toMatch(
      new RegExp(`^error: 409 NETWORK_NOT_ON_TARGET: .*\\n {2}missing: ${await ids.network()}`, 'm'),
    );
    expect(await json(['dcns', 'list'])).toEqual((await compute.get('/dcns')).body);
    expect((await ok(['dcns', 'get', vm1])).stdout).toMatch(/^host\s+host-2$/m);

    const snapshotId = await ids.snapshot();
    const snapshots = await ok(['snapshots', 'list']);
    expect(snapshots.stdout).toMatch(new RegExp(`^${snapshotId}\\s+${switchId}\\s+\\d+\\s`, 'm'));
    expect((await ok(['snapshots', 'get', snapshotId])).stdout).toMatch(/^switch\s+dvs-1 /m);
    const copy = await json(['snapshots', 'restore', snapshotId, '--mode', 'new', '--name', 'dvs-copy', '--hosts', 'host-3']);
    expect(copy.task).toMatchObject({ state: 'succeeded', hosts: { 'host-3': { state: 'succeeded' } } });
    expect((await compute.get(`/switches/${copy.switchId}`)).body).toMatchObject({ name: 'dvs-copy', hostIds: ['host-3'] });
    const onto = await ok(['snapshots', 'restore', snapshotId, '--mode', 'existing', '--switch', copy.switchId]);
    expect(onto.stdout).toMatch(/succeeded: 1 applied/);
  });

  it('covers extensions, opaque data and host modules', async () => {
    const ns = 'com.example.qos';
    expect(await json(['extensions', 'register', 'com.example.qos-ext', ns])).toEqual({
      key: 'com.example.qos-ext',
      namespaces: [ns],
    });
    const taken = await vnetctl(['extensions', 'register', 'com.example.other', ns]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^error: 409 NAMESPACE_TAKEN: /m);

    const switchId = await ids.switch();
    const pgId = await ids.portGroup();
    const set = await ok([
      'opaque',
      'set',
      'switch',
      switchId,
      ns,
      'limits',
      '{"gold":1000}',
      '--extension-key',
      'com.example.qos-ext',
    ]);
    expect(set.stdout).toMatch(/com.example.qos\/limits set on switch/);
    const inherited = await ok(['opaque', 'get', 'port-group', pgId]);
    expect(inherited.stdout).toMatch(
      new RegExp(`^${ns.replace(/\./g, '\\.')}\\s+limits\\s+\\{"gold":1000\\}\\s+switch ${switchId}`, 'm'),
    );
    const refused = await vnetctl([
      'opaque',
      'set',
      'switch',
      switchId,
      ns,
      'limits',
      '1',
      '--extension-key',
      'com.example.other',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: 403 EXTENSION_KEY_INVALID: /m);
    // --json prints the service's text: an integer JSON.parse would round reaches the script unchanged.
    await ok([
      'opaque',
      'set',
      'switch',
      switchId,
      ns,
      'big',
      '{"n":12345678901234567890}',
      '--extension-key',
      'com.example.qos-ext',
    ]);
    expect((await ok(['--json', 'opaque', 'get', 'switch', switchId, '--namespace', ns])).stdout).toContain(
      '{"n":12345678901234567890}',
    );
    await ok(['opaque', 'delete', 'switch', switchId, ns, 'big', '--extension-key', 'com.example.qos-ext']);
    await ok(['opaque', 'delete', 'switch', switchId, ns, 'limits', '--extension-key', 'com.example.qos-ext']);
    expect(await json(['opaque', 'get', 'port-group', pgId, '--namespace', ns])).toEqual([]);

    expect((await ok(['agent', 'modules', 'register', 'host-1', ns])).stdout).toMatch(/registered on host-1/);
    await ok(['agent', 'modules', 'send', 'host-1', ns, '--entity', 'host:host-1', '--key', 'load', '--value', '{"cpu":0.4}']);
    await eventually(
      async () => (await compute.get(`/opaque-data/host/host-1?namespace=${ns}`)).body.some((e: any) => e.key === 'load'),
      20000,
      "the module's data at the compute manager",
    );
    const fromHost = await ok(['opaque', 'get', 'host', 'host-1']);
    expect(fromHost.stdout).toMatch(/^com\.example\.qos\s+load\s+\{"cpu":0\.4\}\s+-\s+host:host-1$/m);
    expect(await json(['agent', 'modules', 'data', 'host-1', ns])).toEqual(
      (await agent.get(`/hosts/host-1/modules/${ns}/data`)).body,
    );
  });

  it("sets a host's uplink and repairs its management from the console", async () => {
    const closed = await ok(['agent', 'uplink', 'host-3', '0,5']);
    expect(closed.stdout).toMatch(/uplink of host-3 lets through: 0,5/);
    expect((await agent.get('/hosts/host-3')).body.uplink.allowedVlans).toEqual([0, 5]);
    const opened = await ok(['agent', 'uplink', 'host-3', 'all']);
    expect(opened.stdout).toMatch(/lets through: all/);
    // The console's repair clones the management port: it must sit on a switch's management port group.
    const copyId = (await compute.get('/switches')).body.find((s: any) => s.name === 'dvs-copy').id;
    expect((await ok(['port-groups', 'create', copyId, 'mgmt', '--vlan', '0', '--management'])).stdout).toMatch(
      /succeeded: 1 applied/,
    );
    const repaired = await json(['agent', 'restore-management', 'host-3', '--vlan', '0']);
    expect(repaired).toEqual({ clonePortId: expect.any(String) });
    await eventually(
      async () =>
        (await agent.get('/hosts/host-3')).body.computeSwitches.every((sw: any) =>
          sw.ports.every((p: any) => p.id !== repaired.clonePortId),
        ),
      20000,
      'the clone removed once the compute manager is reached again',
    );
    await eventually(
      async () => (await compute.get('/hosts/host-3')).body.connectionState === 'connected',
      20000,
      'host-3 connected',
    );
    const view = await ok(['agent', 'get', 'host-3']);
    expect(view.stdout).toMatch(/^uplink\s+all$/m);
    // A rebuild of one manager, with --json.
    const rebuilt = await json(['rebuild', '--service', 'compute']);
    expect(rebuilt).toMatchObject({ service: 'compute-manager', state: 'succeeded' });
  });
});
