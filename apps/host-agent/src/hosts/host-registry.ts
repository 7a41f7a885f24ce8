import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import { ConflictError } from '@vnet/events';
import { CONSTRUCTS_NS } from '../network-switch/network-switch.js';
import { OPAQUE_NS } from '../modules/switch-opaque.store.js';
import { ReplayCache } from '../store/replay-cache.js';
import type { HostContext } from './host-context.js';
import type { HostCredentials } from './host-credentials.js';
import { Host } from './host.js';

/** Hosts opened at once at boot: each replays its store. */
const OPEN_CONCURRENCY = 32;

export interface HostRegistryOptions {
  /** `VNET_DATA_DIR/hosts`. */
  hostsDir: string;
  /** HOST_ID: this process is that one host, and only that one. */
  singleHost?: string;
  /** HOSTS: host-1 … host-N. */
  count: number;
  /** Writes each host's NATS credentials when it is created (absent without a signing key). */
  credentials?: HostCredentials;
}

/**
 * The hosts this process serves: `HOST_ID` alone, or `host-1`…`host-N` plus every host found in the
 * data directory (added by `POST /hosts` before a restart). Listed oldest first.
 */
export class HostRegistry {
  private readonly hosts = new Map<string, Host>();
  /** Oldest first, kept as hosts come: listing thousands of hosts sorts nothing. */
  private ordered: Host[] = [];
  private loaded = false;
  private readonly opening = new Map<string, Promise<Host>>();

  constructor(
    private readonly options: HostRegistryOptions,
    private readonly ctx: HostContext,
  ) {}

  get(hostId: string): Host | undefined {
    return this.hosts.get(hostId);
  }

  /** HOST_ID, when this process is that one host. */
  get singleHost(): string | undefined {
    return this.options.singleHost;
  }

  get hostsDir(): string {
    return this.options.hostsDir;
  }

  get size(): number {
    return this.hosts.size;
  }

  /** Oldest first. */
  list(): readonly Host[] {
    return this.ordered;
  }

  all(): IterableIterator<Host> {
    return this.hosts.values();
  }

  /** Opens every host this process serves; returns them, not started. */
  async load(): Promise<Host[]> {
    await mkdir(this.options.hostsDir, { recursive: true });
    const ids = await this.bootHostIds();
    // Hosts created together at boot are equally old: listed in their natural order.
    const createdAt = this.ctx.clock.now();
    const replayCache = new ReplayCache((ns) => ns === CONSTRUCTS_NS || ns === OPAQUE_NS);
    const opened: Host[] = [];
    for (let i = 0; i < ids.length; i += OPEN_CONCURRENCY) {
      opened.push(
        ...(await Promise.all(ids.slice(i, i + OPEN_CONCURRENCY).map((id) => this.open(id, { createdAt, replayCache })))),
      );
    }
    replayCache.clear();
    // Hosts created in the same millisecond (those of HOSTS=N) in their natural order: host-2 before host-10.
    const natural = new Intl.Collator('en', { numeric: true });
    this.ordered = [...this.hosts.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || natural.compare(a.id, b.id));
    this.loaded = true;
    return opened;
  }

  /** Adds a host; `created` is false when it was already served. */
  async add(hostId: string): Promise<{ host: Host; created: boolean }> {
    const known = this.hosts.get(hostId) ?? (await this.opening.get(hostId));
    if (known) return { host: known, created: false };
    if (this.options.singleHost && hostId !== this.options.singleHost) {
      throw new ConflictError('SINGLE_HOST_AGENT', `this host agent serves only ${this.options.singleHost} (HOST_ID)`);
    }
    const host = await this.open(hostId);
    return { host, created: true };
  }

  private open(hostId: string, options: { createdAt?: number; replayCache?: ReplayCache } = {}): Promise<Host> {
    let opening = this.opening.get(hostId);
    if (!opening) {
      opening = Host.open(this.options.hostsDir, hostId, this.ctx, options)
        .then(async (host) => {
          await this.options.credentials?.ensure(join(this.options.hostsDir, hostId), hostId);
          this.hosts.set(hostId, host);
          if (this.loaded) this.ordered.push(host); // added after boot: the newest

          return host;
        })
        .finally(() => this.opening.delete(hostId));
      this.opening.set(hostId, opening);
    }
    return opening;
  }

  private async bootHostIds(): Promise<string[]> {
    if (this.options.singleHost) return [this.options.singleHost];
    const ids = new Set(Array.from({ length: this.options.count }, (_, i) => `host-${i + 1}`));
    for (const entry of await readdir(this.options.hostsDir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory() && HOST_ID_PATTERN.test(entry.name)) ids.add(entry.name);
    }
    return [...ids];
  }
}
