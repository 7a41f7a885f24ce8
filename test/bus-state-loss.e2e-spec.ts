import { jest } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { KV_HOST_PORTS, KV_SWITCHES } from '@vnet/contracts';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { compareLogAndStream, logEventIds, streamMsgIds } from './harness/bus-audit.js';
import { parsePrometheusText } from './harness/prometheus-text.js';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

jest.setTimeout(120000);
const STREAM = 'EVENTS_NETWORK_MANAGER';

/**
 * Lost bus state heals itself (issue 15, item 5): the log is the source of truth, so an event
 * stream that is deleted is created again and the whole log republished into it, exactly once,
 * while writes go on; the service's consumers resume on it, and the bounds are in place.
 */
describe('lost bus state', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let cm: RunningService;
  let ha: RunningService;
  let nc: NatsConnection;
  let zoneId: string;
  let networkId: string;

  beforeAll(async () => {
    await stack.start();
    nm = await stack.startService('network-manager');
    cm = await stack.startService('compute-manager');
    ha = await stack.startService('host-agent', { HOSTS: '1' });
    nc = await connect(await stack.natsOptions());
    zoneId = (await api(nm.url).post('/transport-zones', { name: 'z' })).body.id;
    networkId = (await api(nm.url).post('/logical-networks', { name: 'n', transportZoneId: zoneId })).body.id;
    await api(nm.url).post('/transport-nodes', { hostId: 'host-1', transportZoneIds: [zoneId] });
    await Promise.all(Array.from({ length: 60 }, (_, i) => api(nm.url).post('/transport-zones', { name: `before-${i}` })));
  }, 120000);
  afterAll(async () => {
    await nc?.close();
    await stack.stop();
  }, 30000);

  it('the event stream has bounds: max age and bytes', async () => {
    const { config } = await (await jetstreamManager(nc)).streams.info(STREAM);
    expect(config.max_age).toBe(7 * 24 * 3600 * 1e9);
    expect(config.max_bytes).toBe(1024 ** 3);
    const reports = await (await jetstreamManager(nc)).streams.info('HOST_REPORTS');
    expect(reports.config.max_age).toBe(24 * 3600 * 1e9);
  });

  it('a deleted event stream is created again and the whole log republished once; consumers resume', async () => {
    const jsm = await jetstreamManager(nc);
    expect(compareLogAndStream(await logEventIds(nm.url), await streamMsgIds(nc, STREAM))).toEqual({ lost: [], duplicated: [] });
    await jsm.streams.delete(STREAM);
    const deleted = Date.now();
    // Writes go on meanwhile: the log takes them, the relay publishes them after the republished past.
    const during = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api(nm.url).post('/transport-zones', { name: `during-${i}` })),
    );
    expect(during.every((r) => r.status === 201)).toBe(true);

    const healed = await eventually(
      async () => {
        const log = await logEventIds(nm.url);
        const r = compareLogAndStream(log, await streamMsgIds(nc, STREAM).catch(() => log.map(() => '')));
        return r.lost.length === 0 ? r : null;
      },
      30000,
      'the recreated stream to hold the whole log',
    );
    expect(healed.duplicated).toEqual([]);
    const healMs = Date.now() - deleted;
    expect(nm.logs()).toMatch(/event stream recreated: republishing the log \(\d+ events\)/);
    await eventually(async () => (await api(nm.url).get('/health')).status === 200, 10000, 'network manager healthy again');
    const metrics = parsePrometheusText((await api(nm.url).unchecked.get('/metrics')).body as string);
    expect(metrics.get('vnet_relay_lag_events')?.samples[0]?.value).toBe(0);

    // The service's own consumer (desired state for the hosts) was recreated and follows the stream.
    const patched = await api(nm.url).patch(`/logical-networks/${networkId}`, { mtu: 9000 });
    expect(patched.status).toBe(200);
    await eventually(
      async () =>
        (await api(ha.url).get('/hosts/host-1/logical-networks')).body.find((n: { id: string }) => n.id === networkId)?.mtu ===
        9000,
      20000,
      'host-1 to hold the change made after the stream was recreated',
    );
    process.stdout.write(`event stream deleted: whole log back in the stream ${healMs} ms later\n`);
  });

  it('a deleted desired-state bucket is created again and every value put again from the read models', async () => {
    await api(cm.url).post('/hosts', { hostId: 'host-1' });
    const sw = (await api(cm.url).post('/switches', { name: 's', hostIds: ['host-1'], rollbackTimeoutMs: 5000 })).body;
    const pg = (await api(cm.url).post(`/switches/${sw.id}/port-groups`, { name: 'pg', vlanId: 10 })).body;
    expect((await taskEnd(api(cm.url), pg.taskId)).state).toBe('succeeded');

    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(`KV_${KV_SWITCHES}`);
    await jsm.streams.delete(`KV_${KV_HOST_PORTS}`);
    const deleted = Date.now();
    const kv = await new Kvm(nc).open(KV_SWITCHES);
    const value = await eventually(
      async () => {
        const entry = await kv.get(sw.id).catch(() => null);
        return entry?.value.length ? entry.json<{ revision: number }>() : null;
      },
      20000,
      "the switch's desired state to be put again",
    ).catch((err: Error) => {
      // What the healer said, for whoever reads a failure.
      const said = cm.logs().split('\n').filter((line) => /DesiredState|bucket/.test(line));
      throw new Error(`${err.message}\ncompute manager said:\n${said.slice(-30).join('\n')}`);
    });
    expect(value.revision).toBe(2);
    const healMs = Date.now() - deleted;
    await eventually(
      async () => /desired-state buckets created again and filled from the read models/.test(cm.logs()),
      10000,
      'the healer to finish',
    );
    await eventually(async () => (await api(cm.url).get('/health')).status === 200, 10000, 'compute manager healthy again');

    // The host watches the new bucket: the next change reaches it.
    const patched = await api(cm.url).patch(`/switches/${sw.id}/port-groups/${pg.portGroupId}`, { vlanId: 20 });
    expect((await taskEnd(api(cm.url), patched.body.taskId)).state).toBe('succeeded');
    const host = (await api(ha.url).get('/hosts/host-1')).body;
    expect(host.computeSwitches.find((s: { id: string }) => s.id === sw.id).portGroups[0].vlanId).toBe(20);
    process.stdout.write(`desired-state buckets deleted: values put again ${healMs} ms later\n`);
  });
});
