import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  HOST_REPORTS_STREAM,
  HOST_REPORTS_STREAM_SPEC,
  KV_LOGICAL_NETWORKS,
  KV_TRANSPORT_NODES,
  logicalNetworkKey,
  type HostReport,
  type LogicalNetworkConstruct,
} from '@vnet/contracts';
import { ensureStream } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { api, eventually, SuiteStack, type RunningService } from '../../../test/harness/stack.js';

export interface ReceivedReport {
  msgId: string;
  report: HostReport;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A host agent process against a NATS of its own, for end-to-end suites. The suite plays the network
 * manager (it writes the desired-state buckets) and the managers' side of reports and heartbeats.
 */
export class HostAgentFixture {
  readonly stack = new SuiteStack();
  agent!: RunningService;
  nc!: NatsConnection;
  networks!: KV;
  nodes!: KV;
  /** Every report the agent published, as it arrives. */
  readonly reports: ReceivedReport[] = [];

  async start(env: Record<string, string>): Promise<void> {
    await this.stack.start();
    this.nc = await connect(await this.stack.natsOptions("admin", { maxReconnectAttempts: -1, reconnectTimeWait: 100 }));
    // Short timeouts: a write lost in a NATS restart is retried soon.
    const kvm = new Kvm(jetstream(this.nc, { timeout: 1000 }));
    [this.networks, this.nodes] = await Promise.all([
      kvm.create(KV_LOGICAL_NETWORKS, { history: 1 }),
      kvm.create(KV_TRANSPORT_NODES, { history: 1 }),
    ]);
    await ensureStream(await jetstreamManager(this.nc), HOST_REPORTS_STREAM_SPEC);
    const consumer = await jetstream(this.nc).consumers.get(HOST_REPORTS_STREAM);
    void (async () => {
      for await (const m of await consumer.consume()) {
        this.reports.push({ msgId: m.headers?.get('Nats-Msg-Id') ?? '', report: m.json<HostReport>() });
      }
    })();
    this.agent = await this.stack.startService('host-agent', env);
  }

  async stop(): Promise<void> {
    await this.nc?.close();
    await this.stack.stop();
  }

  /** Stops the agent and starts it again on the same data. */
  async restartAgent(env: Record<string, string>, between: () => Promise<unknown> = async () => undefined): Promise<void> {
    await this.agent.stop();
    await between();
    this.agent = await this.stack.startService('host-agent', env);
  }

  admin(token?: string | null) {
    return api(this.agent.url, token);
  }

  construct(zone: string, id = randomUUID(), revision = 1): LogicalNetworkConstruct {
    return {
      id,
      name: `net-${id.slice(0, 4)}`,
      vni: 5000 + revision,
      mtu: 1500,
      transportZoneId: zone,
      revision,
      owner: 'network-manager',
    };
  }

  putNetwork(c: LogicalNetworkConstruct): Promise<number> {
    return this.networks.put(logicalNetworkKey(c.transportZoneId, c.id), JSON.stringify(c));
  }

  deleteNetwork(zoneId: string, networkId: string): Promise<void> {
    return this.networks.delete(logicalNetworkKey(zoneId, networkId));
  }

  putNode(hostId: string, transportZoneIds: string[]): Promise<number> {
    return this.nodes.put(hostId, JSON.stringify({ hostId, transportZoneIds }));
  }

  /** `[id, revision]` of every construct the host holds, oldest first. */
  async held(hostId: string): Promise<Array<[string, number]>> {
    const res = await this.admin().get<LogicalNetworkConstruct[]>(`/hosts/${hostId}/logical-networks`);
    return res.body.map((c) => [c.id, c.revision]);
  }

  /** Waits until the host holds exactly these `[id, revision]`. */
  holds(hostId: string, expected: Array<[string, number]>, what: string): Promise<boolean> {
    const want = JSON.stringify([...expected].sort());
    return eventually(async () => JSON.stringify((await this.held(hostId)).sort()) === want, 10000, `${hostId} to hold ${what}`);
  }

  reportsOf(hostId: string): ReceivedReport[] {
    return this.reports.filter((r) => r.report.hostId === hostId);
  }

  /** Every report in the stream, read afresh (the live consumer may be catching up after a NATS restart). */
  async streamReports(): Promise<ReceivedReport[]> {
    const consumer = await jetstream(this.nc).consumers.get(HOST_REPORTS_STREAM);
    const all: ReceivedReport[] = [];
    for (;;) {
      let got = 0;
      for await (const m of await consumer.fetch({ max_messages: 1000, expires: 1000 })) {
        got++;
        all.push({ msgId: m.headers?.get('Nats-Msg-Id') ?? '', report: m.json<HostReport>() });
      }
      if (got === 0) return all;
    }
  }
}
