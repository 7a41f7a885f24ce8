import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  DEFAULT_POLICY,
  HEARTBEAT_SUBJECTS,
  HOST_STATUS_SUBJECTS,
  KV_HOST_PORTS,
  KV_SWITCHES,
  type DcnPortDesired,
  type HostApplyStatus,
  type HostPortsDesired,
  type PortGroupConfig,
  type SwitchDesired,
} from '@vnet/contracts';
import { SuiteStack, type RunningService } from './harness/stack.js';

// Longer than Jest's 5 s default, since thousands of simulated hosts (on a loaded machine too).
jest.setTimeout(120000);

/**
 * Scale probe of the host agent alone (run with SCALE_PROBE=1): 2,000 hosts of one switch with 30
 * DCN ports each (60,000 ports) in one process; the test plays the compute manager (desired state in
 * the buckets, heartbeat replies, statuses). Measures one port-group VLAN change to every host's
 * status, sequential host-ports changes (as migrations make them), and the agent's RSS.
 */
const run = process.env.SCALE_PROBE ? describe : describe.skip;
const HOSTS = Number(process.env.SCALE_HOSTS ?? 2000);
const PORTS_PER_HOST = 30;
const GROUPS = 10;

run('compute switch at scale (probe)', () => {
  const stack = new SuiteStack();
  let ha: RunningService;
  let nc: NatsConnection;
  const hostIds = Array.from({ length: HOSTS }, (_, i) => `host-${i + 1}`);
  const statuses = new Map<string, (s: HostApplyStatus) => void>();
  const pg = (i: number, vlanId: number, changedAtRevision: number): PortGroupConfig => ({
    id: `pg-${i}`, name: `pg-${i}`, vlanId, management: false, policy: DEFAULT_POLICY, changedAtRevision,
  });
  const switchAt = (revision: number, groups: PortGroupConfig[]): SwitchDesired => ({
    id: 'sw-1', name: 'dvs', revision, mtu: 1500, rollbackTimeoutMs: 30000, hostIds, portGroups: groups, rollback: true,
  });
  const portsOf = (hostId: string, revision: number, count = PORTS_PER_HOST): HostPortsDesired => ({
    hostId,
    revision,
    ports: Array.from({ length: count }, (_, j): DcnPortDesired => ({
      id: `${hostId}-p${j}`, dcnId: `${hostId}-d${j}`, nicId: `${hostId}-n${j}`,
      network: { kind: 'port-group', switchId: 'sw-1', portGroupId: `pg-${j % GROUPS}` },
    })),
  });
  /** Resolves when `count` statuses matching `match` arrived. */
  const collect = (key: string, count: number, match: (s: HostApplyStatus) => boolean) =>
    new Promise<void>((resolve) => {
      let seen = 0;
      statuses.set(key, (s) => {
        if (match(s) && ++seen === count) {
          statuses.delete(key);
          resolve();
        }
      });
    });
  const rssMiB = () => {
    const line = readFileSync(`/proc/${ha.process.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS'))!;
    return Math.round(Number(line.replace(/\D+/g, '')) / 1024);
  };

  beforeAll(async () => {
    await stack.start();
    nc = await connect(await stack.natsOptions());
    nc.subscribe(HEARTBEAT_SUBJECTS, { callback: (_e, m) => void m.respond(JSON.stringify({ ok: true, at: new Date().toISOString() })) });
    nc.subscribe(HOST_STATUS_SUBJECTS, {
      callback: (_e, m) => {
        const s = m.json<HostApplyStatus>();
        for (const f of [...statuses.values()]) f(s);
      },
    });
    const kvm = new Kvm(nc);
    const switches = await kvm.create(KV_SWITCHES, { history: 1 });
    const hostPorts = await kvm.create(KV_HOST_PORTS, { history: 1 });
    await switches.put('sw-1', JSON.stringify(switchAt(1, Array.from({ length: GROUPS }, (_, i) => pg(i, 100 + i, 1)))));
    for (let i = 0; i < HOSTS; i += 200) await Promise.all(hostIds.slice(i, i + 200).map((h) => hostPorts.put(h, JSON.stringify(portsOf(h, 1)))));
    const applied = collect('boot', HOSTS, (s) => s.kind === 'switch' && s.revision === 1);
    const t0 = Date.now();
    ha = await stack.startService('host-agent', { HOSTS: String(HOSTS) }, { healthy: false });
    await applied;
    console.log(`${HOSTS} hosts up and applied revision 1 in ${Date.now() - t0} ms, RSS ${rssMiB()} MiB`);
  }, 300000);
  afterAll(async () => {
    await nc?.close();
    await stack.stop();
  }, 60000);

  it('one port-group VLAN change: every host applied and reported', async () => {
    const kvm = new Kvm(nc);
    const switches = await kvm.open(KV_SWITCHES);
    for (let revision = 2; revision <= 4; revision++) {
      const groups = Array.from({ length: GROUPS }, (_, i) => pg(i, 100 + i, 1));
      groups[0] = pg(0, 200 + revision, revision);
      const done = collect(`rev${revision}`, HOSTS, (s) => s.kind === 'switch' && s.revision === revision && s.state === 'applied');
      const t0 = Date.now();
      await switches.put('sw-1', JSON.stringify(switchAt(revision, groups)));
      await done;
      console.log(`revision ${revision}: ${HOSTS} statuses in ${Date.now() - t0} ms, RSS ${rssMiB()} MiB`);
    }
  }, 120000);

  it('sequential host-ports changes are acknowledged promptly', async () => {
    const hostPorts = await new Kvm(nc).open(KV_HOST_PORTS);
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const hostId = hostIds[i % HOSTS];
      const revision = 2 + Math.floor(i / HOSTS);
      const done = collect(`ports${i}`, 1, (s) => s.kind === 'ports' && s.hostId === hostId && s.revision === revision);
      const t0 = performance.now();
      await hostPorts.put(hostId, JSON.stringify(portsOf(hostId, revision, PORTS_PER_HOST - 1)));
      await done;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
    console.log(`host ports change → status: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms`);
  }, 120000);
});
