import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { parsePrometheusText, scrape, sum, type Family } from './harness/prometheus-text.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

type Scrape = Map<string, Family>;
const CM_REPORTS = 'compute-manager__hosts_ANY_report';
const NM_REPORTS = 'network-manager__hosts_ANY_report';

/** Each family is there with its type, and the samples the test reads have the labels it expects. */
function expectFamilies(s: Scrape, types: Record<string, string>): void {
  const found = Object.fromEntries(Object.keys(types).map((name) => [name, s.get(name)?.type]));
  expect(found).toEqual(types);
}

/**
 * The metrics an operator pages on (issue 10), scraped from the three real services while the things
 * they count happen: HTTP answers of every kind, tasks that succeed and fail, host outcomes, a DCN
 * attach and migrations, hosts connecting and losing their uplink, events, the relay, consumers'
 * backlog, redeliveries and dead letters, and a NATS outage.
 */
describe('metrics', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let net: ReturnType<typeof api>;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  let nc: NatsConnection;
  let db: pg.Client;

  const task = (id: string) => taskEnd(compute, id, 20000);

  beforeAll(async () => {
    await stack.start();
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    // A statement of the managers that waits on a lock for 2 s fails: the test holds a lock to make a
    // handler fail once (a redelivery) without stopping anything.
    const { rows } = await db.query<{ name: string }>('SELECT current_database() AS name');
    await db.query(`ALTER DATABASE ${rows[0].name} SET lock_timeout = '2s'`);
    [nm, cm, ha] = await Promise.all([
      stack.startService('network-manager'),
      stack.startService('compute-manager', { TASK_TIMEOUT_MS: '4000', MIGRATION_TIMEOUT_MS: '3000' }),
      stack.startService('host-agent', { HOSTS: '3' }),
    ]);
    net = api(nm.url);
    compute = api(cm.url);
    hosts = api(ha.url);
    nc = await connect(await stack.natsOptions());
  }, 90000);

  afterAll(async () => {
    // For `promtool check metrics`: the scrapes after all the traffic of this suite.
    const dir = process.env.VNET_METRICS_SCRAPE_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      for (const s of [nm, cm, ha]) if (s) writeFileSync(join(dir, `${s.name}.prom`), (await scrape(s.url)).text);
    }
    await nc?.close();
    await db?.end();
    await stack.stop();
  }, 30000);

  it('counts every HTTP answer by route template, including 400 malformed JSON, 413, 401 and 404, in buckets up to 60 s', async () => {
    const before = await scrape(nm.url);
    const count = (s: Scrape, method: string, route: string, status: string) => sum(s, 'vnet_http_requests_total', { method, route, status });

    expect((await net.raw('POST', '/transport-zones', '{"name": "z",')).status).toBe(400);
    expect((await net.post('/transport-zones', { name: 'x'.repeat(200 * 1024) })).status).toBe(413);
    expect((await api(nm.url, 'wrong-token').get('/transport-zones')).status).toBe(401);
    expect((await net.unchecked.get('/no-such-route/42')).status).toBe(404);
    expect((await net.delete('/transport-zones/5b0e5d8c-8a47-4a4c-9d53-2f3b7c1f6a11')).status).toBe(404);
    expect((await net.post('/transport-zones', { name: 'z1' })).status).toBe(201);

    const after = await scrape(nm.url);
    expectFamilies(after, { vnet_http_requests_total: 'counter', vnet_http_request_duration_seconds: 'histogram' });
    const moved = (method: string, route: string, status: string) => count(after, method, route, status) - count(before, method, route, status);
    expect(moved('POST', '/transport-zones', '400')).toBe(1);
    expect(moved('POST', '/transport-zones', '413')).toBe(1);
    expect(moved('GET', '/transport-zones', '401')).toBe(1);
    expect(moved('GET', 'unmatched', '404')).toBe(1);
    expect(moved('DELETE', '/transport-zones/:id', '404')).toBe(1);
    expect(moved('POST', '/transport-zones', '201')).toBe(1);
    // Never a raw path as a label: the label set stays bounded.
    const routes = new Set(after.get('vnet_http_requests_total')!.samples.map((s) => s.labels.route));
    expect([...routes].filter((r) => /[0-9a-f]{8}-|\/42$/.test(r))).toEqual([]);
    const buckets = after.get('vnet_http_request_duration_seconds')!.samples.filter((s) => s.name.endsWith('_bucket'));
    expect(new Set(buckets.map((b) => b.labels.le))).toEqual(new Set(['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '15', '30', '60', '+Inf']));
    expect(sum(after, 'vnet_http_request_duration_seconds_count', { method: 'POST', route: '/transport-zones' })).toBeGreaterThanOrEqual(3);
  }, 30000);

  it('compute manager: hosts known and connected, task outcomes and durations, push latency, host outcomes', async () => {
    await eventually(async () => sum(await scrape(cm.url), 'vnet_hosts_connected') === 3, 20000, 'three hosts connected');
    // A host of the inventory that no agent serves: known, never connected, and it fails its tasks.
    expect((await compute.post('/hosts', { hostId: 'ghost' })).status).toBe(201);
    const before = await eventually(async () => {
      const s = await scrape(cm.url);
      return sum(s, 'vnet_hosts_known') === 4 ? s : null;
    }, 10000, 'four hosts known');
    expectFamilies(before, {
      vnet_hosts_known: 'gauge',
      vnet_hosts_connected: 'gauge',
      vnet_hosts_disconnected: 'gauge',
      vnet_tasks_total: 'counter',
      vnet_task_duration_seconds: 'histogram',
      vnet_task_push_latency_seconds: 'histogram',
      vnet_task_host_outcomes_total: 'counter',
    });
    expect(sum(before, 'vnet_hosts_connected')).toBe(3);
    expect(sum(before, 'vnet_hosts_disconnected')).toBe(1);

    const good = await compute.post('/switches', { name: 'dvs', hostIds: ['host-1', 'host-2'] });
    expect(good.status).toBe(201);
    expect((await task(good.body.taskId)).state).toBe('succeeded');
    const bad = await compute.post('/switches', { name: 'lost', hostIds: ['ghost'] });
    expect((await task(bad.body.taskId)).state).toBe('failed');
    const kind = (await compute.get(`/tasks/${good.body.taskId}`)).body.kind as string;

    const after = await scrape(cm.url);
    const moved = (sample: string, labels: Record<string, string> = {}) => sum(after, sample, labels) - sum(before, sample, labels);
    expect(moved('vnet_tasks_total', { kind, state: 'succeeded' })).toBe(1);
    expect(moved('vnet_tasks_total', { kind, state: 'failed' })).toBe(1);
    expect(moved('vnet_task_duration_seconds_count', { kind })).toBe(2);
    // The failed task waited out its 4 s deadline.
    expect(moved('vnet_task_duration_seconds_bucket', { kind, le: '2.5' })).toBe(1);
    expect(moved('vnet_task_duration_seconds_bucket', { kind, le: '5' })).toBe(2);
    // Only the task whose hosts answered has a last host.
    expect(moved('vnet_task_push_latency_seconds_count', { kind })).toBe(1);
    expect(moved('vnet_task_host_outcomes_total', { state: 'succeeded' })).toBe(2);
    expect(moved('vnet_task_host_outcomes_total', { state: 'timed_out' })).toBe(1);
  }, 60000);

  it('attach and migrations by outcome; a host whose uplink is cut turns disconnected on both sides', async () => {
    const sw = (await compute.get('/switches')).body.find((s: { name: string }) => s.name === 'dvs');
    const pg1 = await compute.post(`/switches/${sw.id}/port-groups`, { name: 'web', vlanId: 10 });
    expect((await task(pg1.body.taskId)).state).toBe('succeeded');
    const dcn = (await compute.post('/dcns', { name: 'vm-1', hostId: 'host-1' })).body;
    const before = await scrape(cm.url);
    const haBefore = await scrape(ha.url);

    const nic = await compute.post(`/dcns/${dcn.id}/nics`, { portGroupId: pg1.body.portGroupId });
    expect(nic.status).toBe(201);
    expect((await task(nic.body.taskId)).state).toBe('succeeded');
    // host-3 is not a member of the switch: nothing moves.
    expect((await compute.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'host-3' })).status).toBe(409);
    expect((await compute.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'host-2' })).status).toBe(200);
    // host-1 loses its management traffic: the migration back to it times out, and it disconnects.
    expect((await hosts.put('/hosts/host-1/uplink', { allowedVlans: [4000] })).status).toBe(200);
    expect((await compute.post(`/dcns/${dcn.id}/migrate`, { targetHostId: 'host-1' })).status).toBe(504);

    const after = await eventually(async () => {
      const s = await scrape(cm.url);
      return sum(s, 'vnet_hosts_disconnected') === 2 ? s : null;
    }, 15000, 'host-1 disconnected');
    expectFamilies(after, { vnet_migrations_total: 'counter', vnet_migration_duration_seconds: 'histogram' });
    const moved = (sample: string, labels: Record<string, string> = {}) => sum(after, sample, labels) - sum(before, sample, labels);
    expect(moved('vnet_tasks_total', { kind: 'dcn.attach-nic', state: 'succeeded' })).toBe(1);
    expect(moved('vnet_migrations_total', { outcome: 'not_on_target' })).toBe(1);
    expect(moved('vnet_migrations_total', { outcome: 'succeeded' })).toBe(1);
    expect(moved('vnet_migrations_total', { outcome: 'host_timeout' })).toBe(1);
    expect(moved('vnet_migration_duration_seconds_count', { outcome: 'host_timeout' })).toBe(1);
    // It waited out the 3 s migration timeout.
    expect(moved('vnet_migration_duration_seconds_bucket', { outcome: 'host_timeout', le: '2.5' })).toBe(0);
    expect(sum(after, 'vnet_hosts_connected')).toBe(2);

    const haAfter = await eventually(async () => {
      const s = await scrape(ha.url);
      return sum(s, 'vnet_host_agent_hosts_management_connected') === 2 ? s : null;
    }, 15000, 'host-1 management disconnected on the agent');
    expect(sum(haBefore, 'vnet_host_agent_hosts_management_connected')).toBe(3);
    expectFamilies(haAfter, {
      vnet_host_agent_hosts: 'gauge',
      vnet_host_agent_hosts_management_connected: 'gauge',
      vnet_host_agent_links_down: 'gauge',
      vnet_dependency_up: 'gauge',
      vnet_http_requests_total: 'counter',
    });
    expect(sum(haAfter, 'vnet_host_agent_hosts')).toBe(3);
    expect(sum(haAfter, 'vnet_host_agent_links_down')).toBe(1);
    expect(sum(haAfter, 'vnet_dependency_up', { dependency: 'nats' })).toBe(1);
    expect(sum(haAfter, 'vnet_dependency_up', { dependency: 'host_store' })).toBe(1);
    expect(sum(haAfter, 'vnet_http_requests_total', { method: 'PUT', route: '/hosts/:hostId/uplink', status: '200' })).toBe(1);

    expect((await hosts.put('/hosts/host-1/uplink', { allowedVlans: [] })).status).toBe(200);
    await eventually(async () => sum(await scrape(cm.url), 'vnet_hosts_connected') === 3, 15000, 'host-1 connected again');
  }, 90000);

  it('events appended per type, relay caught up, dead letters of both managers', async () => {
    const beforeNm = await scrape(nm.url);
    const beforeCm = await scrape(cm.url);
    expect((await net.post('/transport-zones', { name: 'z2' })).status).toBe(201);
    // Not JSON: each manager consuming host reports gives it up at once.
    await jetstream(nc).publish('hosts.host-1.report', '{"hostId": "host-1"', { msgID: 'metrics-garbage-1' });

    for (const [service, before, consumer] of [
      [nm, beforeNm, NM_REPORTS],
      [cm, beforeCm, CM_REPORTS],
    ] as const) {
      const after = await eventually(async () => {
        const s = await scrape(service.url);
        return sum(s, 'vnet_dead_letters_total', { consumer }) > sum(before, 'vnet_dead_letters_total', { consumer }) && sum(s, 'vnet_relay_lag_events') === 0 ? s : null;
      }, 15000, `${service.name}: dead letter counted, relay caught up`);
      expectFamilies(after, {
        vnet_events_appended_total: 'counter',
        vnet_relay_lag_events: 'gauge',
        vnet_relay_last_publish_timestamp_seconds: 'gauge',
        vnet_consumer_pending_messages: 'gauge',
        vnet_consumer_redeliveries_total: 'counter',
        vnet_dead_letters_total: 'counter',
        vnet_dependency_up: 'gauge',
      });
      expect(sum(after, 'vnet_dead_letters_total', { consumer }) - sum(before, 'vnet_dead_letters_total', { consumer })).toBe(1);
      expect(sum(after, 'vnet_relay_last_publish_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 600);
      expect(sum(after, 'vnet_dependency_up', { dependency: 'nats' })).toBe(1);
      expect(sum(after, 'vnet_dependency_up', { dependency: 'postgresql' })).toBe(1);
      expect(after.get('vnet_consumer_pending_messages')!.samples.map((s) => s.labels.consumer)).toContain(consumer);
    }
    const nmAfter = await scrape(nm.url);
    expect(sum(nmAfter, 'vnet_events_appended_total', { type: 'TransportZoneCreated' }) - sum(beforeNm, 'vnet_events_appended_total', { type: 'TransportZoneCreated' })).toBe(1);
  }, 40000);

  it('a handler that fails once is a redelivery; messages behind it are pending until it succeeds', async () => {
    const before = await scrape(cm.url);
    const report = (seq: number) => JSON.stringify({ hostId: 'esx-late', bootId: 'boot', seq, upserted: [], removed: [], sentAt: new Date().toISOString() });
    await db.query('BEGIN');
    try {
      // Appends to the compute manager's log wait on this lock and fail after 2 s (lock_timeout).
      await db.query('LOCK TABLE compute_manager.events IN EXCLUSIVE MODE');
      for (let seq = 1; seq <= 3; seq++) await jetstream(nc).publish('hosts.esx-late.report', report(seq), { msgID: `metrics-late-${seq}` });
      await eventually(async () => sum(await scrape(cm.url), 'vnet_consumer_pending_messages', { consumer: CM_REPORTS }) >= 1, 5000, 'reports pending');
      await eventually(
        async () => sum(await scrape(cm.url), 'vnet_consumer_redeliveries_total', { consumer: CM_REPORTS }) > sum(before, 'vnet_consumer_redeliveries_total', { consumer: CM_REPORTS }),
        10000,
        'a report redelivered',
      );
    } finally {
      await db.query('ROLLBACK');
    }
    await eventually(async () => (await compute.get('/hosts/esx-late')).status === 200, 30000, 'the report applied once the lock is gone');
    await eventually(async () => sum(await scrape(cm.url), 'vnet_consumer_pending_messages', { consumer: CM_REPORTS }) === 0, 30000, 'nothing pending');
  }, 60000);

  it('while NATS is down the scrape answers at once, NATS reads 0 and the relay lag grows; then it catches up', async () => {
    const before = await scrape(nm.url);
    const back = stack.restartNats(6000);
    try {
      await eventually(async () => sum(await scrape(nm.url), 'vnet_dependency_up', { dependency: 'nats' }) === 0, 5000, 'NATS down');
      expect((await net.post('/transport-zones', { name: 'while-nats-is-down' })).status).toBe(201);
      const t0 = Date.now();
      const down = await scrape(nm.url);
      // The consumer backlog cannot be read now: the scrape does not wait for it.
      expect(Date.now() - t0).toBeLessThan(2500);
      expect(sum(down, 'vnet_relay_lag_events')).toBeGreaterThanOrEqual(1);
      expect(sum(down, 'vnet_dependency_up', { dependency: 'postgresql' })).toBe(1);
    } finally {
      await back;
    }
    const caughtUp = await eventually(async () => {
      const s = await scrape(nm.url);
      return sum(s, 'vnet_relay_lag_events') === 0 && sum(s, 'vnet_dependency_up', { dependency: 'nats' }) === 1 ? s : null;
    }, 30000, 'relay caught up after NATS is back');
    expect(sum(caughtUp, 'vnet_relay_last_publish_timestamp_seconds')).toBeGreaterThan(sum(before, 'vnet_relay_last_publish_timestamp_seconds'));
  }, 60000);

  it('the parser of these tests reads what it is given', () => {
    const f = parsePrometheusText('# HELP a_total x\n# TYPE a_total counter\na_total{k="v\\"w"} 2\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n');
    expect(f.get('a_total')).toEqual({ type: 'counter', help: 'x', samples: [{ name: 'a_total', labels: { k: 'v"w' }, value: 2 }] });
    expect(f.get('h')!.samples.map((s) => s.name)).toEqual(['h_bucket', 'h_count']);
  });
});
