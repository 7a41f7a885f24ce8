import { jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { HostApplyStatus, HostPortsDesired, HostReport, LogicalNetworkConstruct, SwitchDesired } from '@vnet/contracts';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ADMIN_TOKEN, api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd as taskEndOn } from './harness/tasks.js';

// What the functions given to page.evaluate and waitForFunction see: they run in the browser.
declare const document: { querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): { length: number } };
declare const sessionStorage: { getItem(key: string): string | null };
declare const window: object;

/** Debian's `chromium` (installed by scripts/ensure-installed.mjs before `npm test`), never a browser download. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '..', 'test-artifacts');
/** Simulated hosts; `VNET_UI_HOSTS=2000` runs the same test at the scale the page is made for. */
const HOSTS = Number(process.env.VNET_UI_HOSTS ?? 300);
// A host falls silent after HEARTBEAT_TIMEOUT_MS (3.5 s) and the browser is told within a second or so;
// each step waits for what it expects on a loaded machine, well within this.
jest.setTimeout(60000);
/** A count as the page's header shows it (2,000). */
const shown = (n: number) => n.toLocaleString('en');
const hostId = (i: number) => `h-${String(i).padStart(HOSTS >= 1000 ? 4 : 3, '0')}`;
const construct = (id: string, name: string, vni: number): LogicalNetworkConstruct => ({
  id,
  name,
  vni,
  mtu: 1500,
  transportZoneId: '7d1c5a0e-0b7e-4f7e-9c55-7a1b2c3d4e5f',
  revision: 1,
  owner: 'network-manager',
});
const WEB = '0f8b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const DB = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/**
 * The live topology page in a real browser (headless Chromium) against the real compute manager,
 * with 300 hosts played by the test through NATS as host agents speak: heartbeats, reports and the
 * outcome of each change, so that a task can be held pending, rolled back, or a host fall silent.
 */
describe('UI: the live topology page', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let admin: ReturnType<typeof api>;
  let nc: NatsConnection;
  let switches: KV;
  let hostPorts: KV;
  let browser: Browser;
  let page: Page;
  let heartbeats: NodeJS.Timeout;
  /** Hosts that answer every change, unless the test answers for them. */
  const scripted = new Set<string>();
  /** Hosts that have stopped heartbeating. */
  const silent = new Set<string>();
  let switchId: string;
  let mgmtId: string;
  let vmNetId: string;

  const status = (s: Omit<HostApplyStatus, 'sentAt'>) => nc.publish(`cm.status.${s.hostId}`, JSON.stringify({ ...s, sentAt: new Date().toISOString() }));
  const taskEnd = (id: string) => taskEndOn(admin, id, 20000);
  const heartbeat = () => {
    for (let i = 1; i <= HOSTS; i++) {
      const id = hostId(i);
      if (!silent.has(id)) nc.publish(`cm.heartbeat.${id}`, JSON.stringify({ hostId: id, bootId: 'b', sentAt: new Date().toISOString() }));
    }
  };
  const visible = (selector: string, timeout = 15000) => page.locator(selector).first().waitFor({ state: 'visible', timeout });
  const text = (testId: string) => page.getByTestId(testId).innerText();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: npm test installs Debian's chromium package (scripts/ensure-installed.mjs --browser)`);
    await stack.start();
    cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '30000' });
    admin = api(cm.url);
    // A generous dial timeout: on a loaded machine the first connection has taken over the 20 s default.
    nc = await connect(await stack.natsOptions('admin', { timeout: 60000 }));
    const kvm = new Kvm(nc);
    switches = await kvm.create('vnet-switches', { history: 1 });
    hostPorts = await kvm.create('vnet-host-ports', { history: 1 });
    void (async () => {
      for await (const e of await switches.watch()) {
        if (!e.value.length) continue;
        const sw = e.json<SwitchDesired>();
        for (const h of sw.hostIds) if (!scripted.has(h)) status({ hostId: h, kind: 'switch', targetId: sw.id, revision: sw.revision, state: 'applied' });
      }
    })();
    void (async () => {
      for await (const e of await hostPorts.watch()) {
        if (!e.value.length) continue;
        const ports = e.json<HostPortsDesired>();
        if (!scripted.has(ports.hostId)) status({ hostId: ports.hostId, kind: 'ports', targetId: ports.hostId, revision: ports.revision, state: 'applied' });
      }
    })();
    const js = jetstream(nc);
    for (let i = 1; i <= HOSTS; i++) {
      const id = hostId(i);
      const held = i === 1 ? [construct(WEB, 'web', 5001), construct(DB, 'db', 5002)] : [];
      const r: HostReport = { hostId: id, bootId: 'b', seq: 1, held: held.map((c) => ({ id: c.id, revision: 1 })), upserted: held, removed: [], sentAt: new Date().toISOString() };
      await js.publish(`hosts.${id}.report`, JSON.stringify(r), { msgID: `${id}:b:1` });
    }
    heartbeat();
    heartbeats = setInterval(heartbeat, 1000);
    await eventually(async () => (await admin.get('/hosts')).body.length === HOSTS, 60000, `${HOSTS} hosts discovered`);

    const created = await admin.post('/switches', { name: 'dvs-ui', hostIds: [hostId(1), hostId(2), hostId(3)], rollbackTimeoutMs: 3000 });
    switchId = created.body.id;
    expect((await taskEnd(created.body.taskId)).state).toBe('succeeded');
    const mgmt = await admin.post(`/switches/${switchId}/port-groups`, { name: 'mgmt', vlanId: 10, management: true });
    mgmtId = mgmt.body.portGroupId;
    expect((await taskEnd(mgmt.body.taskId)).state).toBe('succeeded');
    const vmNet = await admin.post(`/switches/${switchId}/port-groups`, { name: 'vm-net', vlanId: 20 });
    vmNetId = vmNet.body.portGroupId;
    expect((await taskEnd(vmNet.body.taskId)).state).toBe('succeeded');
    const dcn = await admin.post('/dcns', { name: 'vm-web-1', hostId: hostId(1) });
    expect(dcn.status).toBe(201);
    const nic = await admin.post(`/dcns/${dcn.body.id}/nics`, { portGroupId: vmNetId });
    expect((await taskEnd(nic.body.taskId)).state).toBe('succeeded');

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
  }, 180000);
  afterAll(async () => {
    clearInterval(heartbeats);
    await browser?.close();
    await nc?.close();
    await stack.stop();
  }, 30000);

  it('is served without a token, all its code from the manager (no CDN), under a policy that allows nothing else', async () => {
    const res = await fetch(`${cm.url}/ui`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await res.text();
    expect(html).toMatch(/<script type="module" crossorigin src="\/ui\/assets\/[^"]+\.js">/);
    expect(html).not.toMatch(/https?:\/\//);
    // Its data is not: the feed and the snapshot need the token like every route.
    expect((await api(cm.url, null).get('/topology')).status).toBe(401);
    expect((await fetch(`${cm.url}/topology/events`)).status).toBe(401);
    expect((await fetch(`${cm.url}/ui/assets/..%2F..%2Fmain.js`)).status).toBe(404);
    // The document describes the feed as an event stream (each event's JSON under x-events), the page not at all.
    const doc = (await api(cm.url, null).get('/docs-json')).body;
    const stream = doc.paths['/topology/events'].get.responses['200'].content;
    expect(Object.keys(stream)).toEqual(['text/event-stream']);
    expect(Object.keys(stream['text/event-stream']['x-events'])).toEqual(['snapshot', 'change']);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/ui'))).toEqual([]);
  });

  it('refuses a wrong token, and keeps the right one in sessionStorage, never in the URL', async () => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${cm.url}/ui`);
    await page.getByTestId('token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible('[data-testid=login-error]');
    expect(await text('login-error')).toBe('token refused');
    expect(await page.evaluate(() => sessionStorage.getItem('vnet.token'))).toBeNull();

    await page.getByTestId('token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible('[data-testid=summary]');
    expect(await page.evaluate(() => sessionStorage.getItem('vnet.token'))).toBe(ADMIN_TOKEN);
    await page.waitForFunction(() => document.querySelector('[data-testid=feed-status]')?.textContent === 'live', null, { timeout: 15000 });
    expect(page.url()).toBe(`${cm.url}/ui`);
    for (const url of requests) expect(url).not.toContain(ADMIN_TOKEN);
  });

  it(`shows ${HOSTS} hosts as counts and one page of rows, not a node per host`, async () => {
    await page.waitForFunction((n) => document.querySelector('[data-testid=stat-hosts-connected]')?.textContent === n, shown(HOSTS), { timeout: 20000 });
    expect(await text('stat-hosts-total')).toBe(shown(HOSTS));
    expect(await text('stat-hosts-disconnected')).toBe('0');
    expect(await page.locator('[data-testid=host-rows] tr').count()).toBe(50);
    expect(await page.getByTestId('hosts-pager').innerText()).toContain(`page 1 of ${Math.ceil(HOSTS / 50)}`);
    const nodes = await page.evaluate(() => document.querySelectorAll('*').length);
    console.log(`DOM nodes with ${HOSTS} hosts: ${nodes}`);
    expect(nodes).toBeLessThan(1500);
  });

  it('shows the switch with its port groups, the networks a host holds, and a DCN with its port', async () => {
    const card = page.locator('[data-switch="dvs-ui"]');
    await card.waitFor();
    expect(await card.innerText()).toContain('3 hosts: 3 connected, 0 disconnected');
    const groups = await card.locator('[data-port-group]').allInnerTexts();
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatch(/^mgmt · VLAN 10\s*management$/);
    expect(groups[1]).toBe('vm-net · VLAN 20');
    expect(await text('stat-port-groups')).toBe('2');

    await page.getByTestId('host-search').fill(hostId(1));
    await page.locator(`[data-host="${hostId(1)}"]`).click();
    await visible('[data-testid=host-detail]');
    expect((await page.getByTestId('host-networks').locator('li').allInnerTexts()).sort()).toEqual(['db', 'web']);
    expect(await page.getByTestId('host-detail').innerText()).toContain('vm-web-1');
    expect(await page.locator('[data-network="web"]').innerText()).toContain('VNI 5001');

    const dcn = page.locator('[data-dcn="vm-web-1"]');
    expect(await dcn.innerText()).toContain(`on ${hostId(1)}`);
    expect(await dcn.locator('[data-port]').innerText()).toMatch(/→ port group dvs-ui\/vm-net$/);
    expect(await text('stat-ports')).toBe('1');
  });

  it('searches and filters the hosts', async () => {
    // h-020 … h-029: ten hosts of the 300.
    await page.getByTestId('host-search').fill(hostId(20).slice(0, -1));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=host-rows] tr').length === 10);
    expect(await text('hosts-matching')).toBe(`10 of ${HOSTS}`);
    await page.getByTestId('host-search').fill('');
    await page.getByTestId('host-switch').selectOption({ label: 'dvs-ui' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=host-rows] tr').length === 3);
    expect(await page.locator('[data-testid=host-rows] tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-host')))).toEqual([hostId(1), hostId(2), hostId(3)]);
    // A search by a network's name finds the hosts that hold it.
    await page.getByTestId('host-switch').selectOption({ label: 'any switch' });
    await page.getByTestId('host-search').fill('db');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=host-rows] tr').length === 1);
    await page.getByTestId('host-search').fill('');
  });

  it("shows a task's per-host progress live, without a reload", async () => {
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    scripted.add(hostId(2));
    const patched = await admin.patch(`/switches/${switchId}/port-groups/${vmNetId}`, { vlanId: 21 });
    expect(patched.status).toBe(202);
    const task = page.locator(`[data-task="${patched.body.taskId}"]`);
    await task.and(page.locator('[data-state=running]')).waitFor({ timeout: 15000 });
    await page.waitForFunction(
      (id) => document.querySelector(`[data-task="${id}"] [data-testid=task-counts]`)?.textContent?.startsWith('2/3 hosts · 2 succeeded · 1 pending'),
      patched.body.taskId,
      { timeout: 15000 },
    );
    await task.getByRole('button', { name: 'show hosts' }).click();
    expect(await task.locator(`[data-task-host="${hostId(2)}"]`).getAttribute('data-state')).toBe('pending');

    status({ hostId: hostId(2), kind: 'switch', targetId: switchId, revision: patched.body.revision, state: 'applied' });
    await task.and(page.locator('[data-state=succeeded]')).waitFor({ timeout: 15000 });
    expect(await task.locator(`[data-task-host="${hostId(2)}"]`).getAttribute('data-state')).toBe('succeeded');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.locator('[data-switch="dvs-ui"] [data-port-group="vm-net"]').innerText()).toBe('vm-net · VLAN 21');
  });

  it('shows a rollback as it happens: the task rolled back, the switch back where it was', async () => {
    const patched = await admin.patch(`/switches/${switchId}/port-groups/${mgmtId}`, { vlanId: 30 });
    const reason = 'no management round trip came back within 3000 ms';
    status({ hostId: hostId(2), kind: 'switch', targetId: switchId, revision: patched.body.revision, state: 'rolled_back', restoredRevision: patched.body.revision - 1, detail: reason });
    const activity = page.locator('[data-testid=activity] [data-activity=rollback]');
    await activity.waitFor({ timeout: 15000 });
    expect(await activity.innerText()).toContain(`host ${hostId(2)} rolled back revision ${patched.body.revision}: ${reason}`);
    await page.locator(`[data-task="${patched.body.taskId}"][data-state=rolled_back]`).waitFor({ timeout: 15000 });
    await page.waitForFunction(() => document.querySelector('[data-switch="dvs-ui"] [data-port-group="mgmt"]')?.textContent?.startsWith('mgmt · VLAN 10'), null, {
      timeout: 15000,
    });
    // The revert is pushed to every host: the scripted one answers it too.
    const reverted = (await admin.get(`/switches/${switchId}`)).body;
    scripted.delete(hostId(2));
    status({ hostId: hostId(2), kind: 'switch', targetId: switchId, revision: reverted.revision, state: 'applied' });
  });

  it('shows a host that falls silent as disconnected, live', async () => {
    silent.add(hostId(3));
    await page.waitForFunction(() => document.querySelector('[data-testid=stat-hosts-disconnected]')?.textContent === '1', null, { timeout: 20000 });
    expect(await text('stat-hosts-connected')).toBe(shown(HOSTS - 1));
    // Disconnected hosts come first, on the first page.
    expect(await page.locator('[data-testid=host-rows] tr').first().getAttribute('data-host')).toBe(hostId(3));
    expect(await page.locator('[data-switch="dvs-ui"]').innerText()).toContain('2 connected, 1 disconnected');
    await page.getByTestId('host-state').selectOption('disconnected');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=host-rows] tr').length === 1);
    expect(await text('hosts-matching')).toBe(`1 of ${HOSTS}`);
    await page.getByTestId('host-state').selectOption('all');

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'ui-topology.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
    expect(existsSync(shot)).toBe(true);

    silent.delete(hostId(3));
    await page.waitForFunction(() => document.querySelector('[data-testid=stat-hosts-disconnected]')?.textContent === '0', null, { timeout: 20000 });
  });

  it('answers the snapshot the page starts from, as the document describes it', async () => {
    const snapshot = (await admin.get('/topology')).body;
    expect(snapshot.hosts).toHaveLength(HOSTS);
    expect(snapshot.switches.map((s: { name: string }) => s.name)).toEqual(['dvs-ui']);
    expect(snapshot.activity.map((a: { kind: string }) => a.kind)).toContain('rollback');
  });
});
