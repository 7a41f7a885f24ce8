import { jest } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, removeDir } from '../scripts/lib/stack.mjs';

// `npm start` builds, starts NATS, PostgreSQL and the services; each demo run takes 15–60 s on a loaded machine.
jest.setTimeout(240000);

const ROOT = resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The steps `npm run demo` tells, in order, each with a check line that must come out ✓. */
const STORY: Array<[string, RegExp]> = [
  ['The stack answers', /✓ compute manager at http:\/\/127\.0\.0\.1:\d+ is healthy/],
  ['Three hypervisors join', /✓ the compute manager sees all three connected/],
  ['A transport zone and logical networks', /✓ the two "web" networks are two networks: distinct ids and VNIs/],
  ['Hosts learn the networks of their zones', /✓ the network manager sees web \(zone a\) realized on both hosts/],
  ['The compute manager learns them from the hosts', /✓ the compute manager refuses to change it \(405\)/],
  ['A distributed switch across the three hosts', /✓ demo-\w+-3's management port is on VLAN 10, connected/],
  ['A DCN attached to networks and a port group', /✓ a NIC on "web" of zone b is refused: .* \(409 NETWORK_NOT_ON_HOST\)/],
  ['A migration refused by id', /✓ migration to demo-\w+-3 is refused \(409 NETWORK_NOT_ON_TARGET\)/],
  ['A migration accepted', /✓ at that answer demo-\w+-2 runs the DCN's 3 ports/],
  ['A change pushed to every host at once', /✓ the task names each host, succeeded/],
  ['A change that cuts management is rolled back', /✓ the task names demo-\w+-2 rolled_back, and why/],
  ['A host repaired through a cloned port', /✓ demo-\w+-2 is back on its original port, the clone gone, connected/],
  ['A snapshot restored onto a new switch', /✓ and its port groups, configured the same/],
  ["An extension's data reaches a host module", /✓ the compute manager serves them with the host as source/],
  ['The audit trail of it all', /✓ the refused migration recorded nothing, on either manager/],
];

/** Output and exit code of a command run to its end. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('close', (code) => done({ code, out }));
  });
}

/**
 * `npm run demo` against a stack started exactly as `npm start` starts it (scripts/start.mjs, with its own
 * VNET_DATA_DIR and ports): the demo finds the stack and its token by itself, every step comes out as
 * narrated, a second run on the same stack does too, and a run that cannot do what it narrates exits 1
 * saying what it expected and what it saw.
 */
describe('npm run demo against npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnet-demo-'));
  // Not `data`: removeDir takes a directory of that name for a PostgreSQL cluster and looks no further into it.
  const dataDir = join(dir, 'vnet');
  let start: ChildProcess;
  let startOut = '';
  /** The environment of an operator's shell: nothing of the test harness's servers. */
  const shell = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, VNET_DATA_DIR: dataDir });

  beforeAll(async () => {
    // PostgreSQL runs as its own account when we are root: let it reach its directory.
    chmodSync(dir, 0o755);
    const [nm, cm, ha] = [await freePort(), await freePort(), await freePort()];
    start = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: ROOT,
      env: {
        ...shell(),
        NETWORK_MANAGER_PORT: String(nm),
        COMPUTE_MANAGER_PORT: String(cm),
        HOST_AGENT_PORT: String(ha),
        HOSTS: '2',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout!.on('data', (d) => (startOut += d));
    start.stderr!.on('data', (d) => (startOut += d));
    const t0 = Date.now();
    while (!startOut.includes('vnet is running')) {
      if (start.exitCode !== null) throw new Error(`npm start exited ${start.exitCode}:\n${startOut.slice(-4000)}`);
      if (Date.now() - t0 > 180000) throw new Error(`npm start not running after 180 s:\n${startOut.slice(-4000)}`);
      await sleep(250);
    }
  }, 200000);

  afterAll(async () => {
    if (start && start.exitCode === null) {
      // npm start stops everything it started within 15 s of a SIGTERM.
      const exited = new Promise((r) => start.once('exit', r));
      start.kill('SIGTERM');
      const timer = setTimeout(() => start.kill('SIGKILL'), 20000);
      await exited;
      clearTimeout(timer);
    }
    removeDir(dir);
  }, 30000);

  it('tells the whole story, every check ✓, and exits 0; again on the same stack', async () => {
    // What npm start wrote for tools that drive it: where each service answers (the admin token is kept beside it).
    const services = JSON.parse(readFileSync(join(dataDir, 'services.json'), 'utf8'));
    expect(Object.keys(services.urls).sort()).toEqual(['compute-manager', 'host-agent', 'network-manager']);
    expect(existsSync(join(dataDir, 'admin-token'))).toBe(true);

    for (const round of [1, 2]) {
      const { code, out } = await run('npm', ['run', '--silent', 'demo'], shell());
      if (code !== 0) throw new Error(`npm run demo (round ${round}) exited ${code}:\n${out}`);
      expect(out).toMatch(/network-manager from .*services\.json/);
      expect(out).toMatch(/admin token from .*admin-token/);
      const titles = [...out.matchAll(/^\s*\d+\. (.+)$/gm)].map((m) => m[1]);
      expect(titles).toEqual(STORY.map(([title]) => title));
      for (const [title, line] of STORY) expect({ title, found: line.test(out) }).toEqual({ title, found: true });
      expect(out).not.toMatch(/✗/);
      expect(out).toMatch(/All 15 steps behaved as narrated: \d+ checks/);
    }
  });

  it('exits 1 at the first check that does not hold, saying what it expected and what it saw', async () => {
    const { code, out } = await run('node', ['demo/run.mjs'], { ...shell(), ADMIN_TOKEN: 'not-the-admin-token' });
    expect(code).toBe(1);
    expect(out).toMatch(/admin token from ADMIN_TOKEN/);
    expect(out).toMatch(/✓ network manager at .* is healthy/);
    expect(out).toMatch(/✗ host agent serves demo-\w+-1\n\s+expected: 201\n\s+saw:\s+401/);
    expect(out).toMatch(/FAILED after 2 steps/);
    expect(out).not.toMatch(/^\s*3\. /m);
  });
});
