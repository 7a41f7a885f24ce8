import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { HealthRegistry } from '@vnet/events';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ComputeFeeds } from '../compute-switch/compute-feeds.js';
import { DesiredStateFeeds } from '../desired-state/desired-state.feeds.js';
import { HeartbeatSender } from '../link/heartbeat.sender.js';
import { CommitScheduler } from '../store/commit-scheduler.js';
import { HOST_CONTEXT, type HostContext } from './host-context.js';
import { HostRegistry } from './host-registry.js';
import type { Host } from './host.js';

const SHUTDOWN_FLUSH_MS = 5000;
const PROBE_EVERY_MS = 5000;

/**
 * Boots and stops the hosts: opens their stores (they serve from them at once), starts the shared
 * watches and timers, then lets each host sync with the managers; at shutdown, writes what waits.
 */
@Injectable()
export class HostAgentRuntime implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('HostAgent');
  private loaded = false;
  private lastProbeAt = 0;

  constructor(
    private readonly registry: HostRegistry,
    private readonly feeds: DesiredStateFeeds,
    private readonly computeFeeds: ComputeFeeds,
    private readonly heartbeats: HeartbeatSender,
    private readonly commits: CommitScheduler,
    private readonly health: HealthRegistry,
    @Inject(HOST_CONTEXT) private readonly ctx: HostContext,
  ) {}

  onModuleInit(): void {
    this.health.register({ name: 'hostStores', check: () => this.checkStores() });
  }

  async onApplicationBootstrap(): Promise<void> {
    const t0 = Date.now();
    const hosts = await this.registry.load();
    this.loaded = true;
    // A single host reads its own keys only (all its credentials allow); many hosts, every key.
    const ownKeys = this.registry.singleHost ?? '>';
    this.feeds.watchTransportNodes((hostId) => this.registry.get(hostId), ownKeys);
    this.computeFeeds.start((hostId) => this.registry.get(hostId), ownKeys);
    for (const host of hosts) this.startHost(host);
    this.heartbeats.start();
    this.logger.log({ msg: 'hosts loaded from their stores', hosts: hosts.length, ms: Date.now() - t0 });
  }

  /** Puts a host to work: heartbeats, and a first sync if its link lets it. */
  startHost(host: Host): void {
    this.heartbeats.add(host);
    host.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.ctx.retries.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.commits.idle(), new Promise((r) => (timer = setTimeout(r, SHUTDOWN_FLUSH_MS)))]);
    clearTimeout(timer);
    this.commits.stop();
  }

  private async checkStores(): Promise<Record<string, unknown>> {
    if (!this.loaded) throw new Error('host stores are still loading');
    const failing: string[] = [];
    for (const host of this.registry.all()) if (host.store.failure) failing.push(host.id);
    if (failing.length > 0)
      throw new Error(`store writes failing for ${failing.length} host(s), e.g. ${failing.slice(0, 5).join(', ')}`);
    await this.probeDisk();
    return { hosts: this.registry.size };
  }

  /** A real durable write where the stores live (at most every few seconds): a writable directory alone proves little. */
  private async probeDisk(): Promise<void> {
    const now = Date.now();
    if (now - this.lastProbeAt < PROBE_EVERY_MS) return;
    const path = join(this.registry.hostsDir, '.health-probe');
    const fh = await open(path, 'w');
    try {
      await fh.write('ok');
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rm(path, { force: true });
    this.lastProbeAt = now;
  }
}
