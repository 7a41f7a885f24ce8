import type { HostPortsDesired, LogicalNetworkConstruct, SwitchDesired } from '@vnet/contracts';
import { HostJournal } from '../audit/host-journal.js';
import type { ComputeReceiver } from '../compute-switch/compute-feeds.js';
import { ApplyConfirmation } from '../compute-switch/apply-confirmation.js';
import { computeCodec } from '../compute-switch/compute-codec.js';
import { HostCompute } from '../compute-switch/host-compute.js';
import type { ReportExtras } from '../reports/report-plan.js';
import { join } from 'node:path';
import type { DesiredStateReceiver } from '../desired-state/desired-state.feeds.js';
import type { HeartbeatTarget } from '../link/heartbeat.sender.js';
import { managementConnected, type RoundTrips } from '../link/heartbeat-wheel.js';
import { ManagementLink, type UplinkConfig } from '../link/management-link.js';
import type { DesiredUpdate } from '../network-switch/desired-update.js';
import { constructsCodec } from '../network-switch/constructs-codec.js';
import { NetworkSwitch, type SwitchChange } from '../network-switch/network-switch.js';
import { HostReportState } from '../reports/host-report-state.js';
import type { Reporter } from '../reports/report.publisher.js';
import type { Committable } from '../store/commit-scheduler.js';
import { HostStore } from '../store/host-store.js';
import type { ReplayCache } from '../store/replay-cache.js';
import { HostModules } from '../modules/host-modules.js';
import type { ModuleDataSender } from '../modules/module-data.publisher.js';
import { opaqueCodec } from '../modules/switch-opaque.store.js';
import type { HostContext } from './host-context.js';
import { HostSync, type SyncTarget } from './host-sync.js';
import type { HostSummary, HostView } from './host.view.js';

const HOST_NS = 'host';
const LINK_NS = 'link';
const SYNC_RETRY_MS = 1000;

interface HostInfo {
  hostId: string;
  createdAt: string;
}

/**
 * One simulated hypervisor: its store, its management link (through which everything it sends and
 * receives passes), its network switch, its reports and heartbeats. Shared machinery (watches,
 * timers, the NATS connection) lives in the context, so that a host costs little more than its state.
 */
export class Host implements DesiredStateReceiver, ComputeReceiver, Committable, Reporter, HeartbeatTarget, ModuleDataSender {
  readonly link: ManagementLink;
  readonly modules: HostModules;
  readonly networkSwitch: NetworkSwitch;
  readonly reports = new HostReportState();
  readonly roundTrips: RoundTrips = { lastRoundTripAt: null };
  readonly compute: HostCompute;
  /** What this host applied, rolled back and repaired (`GET /hosts/:id/events`). */
  readonly journal: HostJournal;
  private readonly sync: HostSync;

  private constructor(
    readonly id: string,
    readonly createdAt: string,
    readonly store: HostStore,
    private readonly ctx: HostContext,
  ) {
    const uplink = store.get<UplinkConfig>(LINK_NS, 'uplink') ?? { allowedVlans: [] };
    this.link = new ManagementLink(uplink, undefined, (flows) => this.onLinkChange(flows));
    this.journal = new HostJournal(store, ctx.clock);
    this.networkSwitch = new NetworkSwitch(store, ctx.catalog, this.journal);
    this.modules = new HostModules(store);
    this.sync = new HostSync(this.syncTarget(), ctx.source);
    this.compute = new HostCompute({
      hostId: id,
      store,
      journal: this.journal,
      setManagementVlan: (vlan) => this.link.setManagementVlan(vlan),
      constructRevision: (networkId) => this.networkSwitch.get(networkId)?.revision,
      confirmation: new ApplyConfirmation({ target: this, channel: ctx.compute.channel, whenDurable: () => store.whenDurable(), wheel: ctx.retries }),
      target: this,
      repairs: ctx.compute.repairs,
      wheel: ctx.retries,
      clock: ctx.clock,
      log: (msg, fields) => ctx.logger.log({ msg, hostId: id, ...fields }),
      reportChanged: (correlationId) => this.reports.markExtras(correlationId),
    });
  }

  /** Opens (or creates, as of `createdAt`) the host's store under `hostsDir/<id>` and the host on it. */
  static async open(
    hostsDir: string,
    id: string,
    ctx: HostContext,
    options: { createdAt?: number; replayCache?: ReplayCache } = {},
  ): Promise<Host> {
    let host: Host | null = null;
    const { store, report } = await HostStore.open(join(hostsDir, id), {
      codec: opaqueCodec(computeCodec(constructsCodec(ctx.catalog))),
      replayCache: options.replayCache,
      openJournals: ctx.openJournals,
      onDirty: (lazy) => host && (lazy ? ctx.commits.markLazy(host) : ctx.commits.markDirty(host)),
    });
    if (report.tornBytes > 0) ctx.logger.warn({ msg: 'torn journal tail cut', hostId: id, bytes: report.tornBytes });
    let info = store.get<HostInfo>(HOST_NS, 'info');
    if (!info) {
      info = { hostId: id, createdAt: new Date(options.createdAt ?? ctx.clock.now()).toISOString() };
      store.put(HOST_NS, 'info', info);
      await store.flush();
    }
    host = new Host(id, info.createdAt, store, ctx);
    return host;
  }

  /** Starts talking to the managers, if the link lets it. */
  start(): void {
    this.compute.start();
    if (this.link.flows) {
      this.sync.requestFull();
      this.resyncCompute();
      this.ctx.moduleData.markDirty(this);
    }
  }

  receiveSwitch(desired: SwitchDesired): void {
    if (this.link.flows) this.compute.applySwitch(desired);
  }

  receiveSwitchRemoved(switchId: string): void {
    if (this.link.flows) this.compute.dropSwitch(switchId);
  }

  receivePorts(desired: HostPortsDesired): void {
    if (this.link.flows) this.compute.applyPorts(desired);
  }

  reportExtras(): ReportExtras {
    return { logicalPorts: this.compute.reportedLogicalPorts(), switches: this.compute.reportedSwitches() };
  }

  receive(update: DesiredUpdate): void {
    if (!this.link.flows) return; // a cut cable: dropped, not queued
    if (this.sync.holdBack(update)) return;
    this.apply(update);
  }

  /** `PUT /hosts/:id/uplink`: the simulated physical port changes at once; answered once it is stored. */
  async setUplink(uplink: UplinkConfig): Promise<UplinkConfig> {
    this.store.put(LINK_NS, 'uplink', { allowedVlans: [...uplink.allowedVlans] });
    this.journal.append({ type: 'UplinkSet', data: { allowedVlans: [...uplink.allowedVlans] } });
    this.link.setUplink(uplink);
    await this.store.whenDurable();
    return this.link.uplink;
  }

  /** Moves the management port to another VLAN (a management port group, a restore onto a clone). */
  setManagementVlan(vlan: number): void {
    this.link.setManagementVlan(vlan);
  }

  /** A management round trip came back recently (the host's `managementConnected`). */
  get managementConnected(): boolean {
    return managementConnected(this.roundTrips, this.ctx.clock.now());
  }

  /** A management round trip (heartbeat or confirmation) sent at `sentAt` came back through the link. */
  roundTripBack(sentAt: number): void {
    this.compute.roundTripBack(sentAt);
  }

  /** `POST /hosts/:id/management/restore`: answered once the clone is stored. */
  async restoreManagement(vlanId: number): Promise<{ clonePortId: string }> {
    const answer = this.compute.restoreManagement(vlanId);
    await this.store.whenDurable();
    return answer;
  }

  view(): HostView {
    return {
      hostId: this.id,
      managementConnected: this.managementConnected,
      computeSwitches: this.compute.computeSwitchesView(),
      networkSwitch: { logicalNetworks: this.networkSwitch.constructs(), ports: this.compute.logicalPortsView() },
      uplink: this.link.uplink,
      pendingRollback: this.compute.pendingRollback(),
    };
  }

  summary(): HostSummary {
    return {
      hostId: this.id,
      managementConnected: this.managementConnected,
      uplink: this.link.uplink,
      logicalNetworkCount: this.networkSwitch.count,
    };
  }

  durableConstructs(): LogicalNetworkConstruct[] {
    return this.networkSwitch.durableConstructs();
  }

  /** Group commit: the store's pending changes to disk, then they may be reported. */
  async commit(): Promise<void> {
    const changes = this.reports.takeUnflushed();
    try {
      await this.store.flush();
    } catch (err) {
      this.reports.flushFailed(changes);
      throw err;
    }
    this.reports.flushed(changes);
    if (!changes.empty || this.reports.extrasWaiting) this.ctx.reports.markDirty(this);
    try {
      await this.store.compactIfNeeded();
    } catch (err) {
      // The journal still holds everything: compaction is tried again after the next flush.
      this.ctx.logger.warn({ msg: 'store compaction failed', hostId: this.id, error: String(err) });
    }
  }

  private apply(update: DesiredUpdate): void {
    switch (update.kind) {
      case 'zones': {
        const { added, removed, changes } = this.networkSwitch.setZones(update.zoneIds);
        for (const z of removed) this.ctx.feeds.leave(z, this);
        this.record(changes);
        if (added.length > 0) this.sync.requestZones(added);
        return;
      }
      case 'network': {
        const change = this.networkSwitch.upsert(update.construct);
        if (change) {
          this.reports.record(change, update.correlationId);
          this.compute.networksChanged();
        }
        return;
      }
      case 'network-removed': {
        const change = this.networkSwitch.remove(update.zoneId, update.networkId);
        if (change) {
          this.reports.record(change);
          this.compute.networksChanged();
        }
        return;
      }
      default: {
        const never: never = update;
        throw new Error(`unknown desired update ${(never as { kind: string }).kind}`);
      }
    }
  }

  private record(changes: SwitchChange[]): void {
    for (const change of changes) this.reports.record(change);
    if (changes.length) this.compute.networksChanged();
  }

  /** Reads the compute desired state back (once the process's watches have it) and confirms what runs. */
  private resyncCompute(): void {
    const epoch = this.link.epoch;
    void this.ctx.compute.source.ready.then(() => {
      if (this.link.epoch === epoch && this.link.flows) this.compute.resync(this.ctx.compute.source);
    });
  }

  private onLinkChange(flows: boolean): void {
    if (flows) {
      // Whatever was missed while cut is read back now: the host converges with no manual step.
      this.sync.requestFull();
      this.resyncCompute();
      this.ctx.moduleData.markDirty(this);
    } else {
      this.sync.cancel();
      this.reports.drop();
    }
  }

  private syncTarget(): SyncTarget {
    return {
      id: this.id,
      watchTransportNode: () => this.ctx.feeds.transportNodesReady(),
      linkEpoch: () => this.link.epoch,
      linkFlows: () => this.link.flows,
      zones: () => this.networkSwitch.zones,
      adoptZones: (zoneIds) => {
        const { removed, changes } = this.networkSwitch.setZones(zoneIds);
        for (const z of removed) this.ctx.feeds.leave(z, this);
        this.record(changes);
      },
      joinZone: (zoneId) => this.ctx.feeds.join(zoneId, this),
      replaceZone: (zoneId, constructs) => this.record(this.networkSwitch.replaceZone(zoneId, constructs)),
      apply: (update) => this.apply(update),
      synced: () => this.afterFullSync(),
      retryLater: (run) => this.ctx.retries.schedule(SYNC_RETRY_MS, run),
      onSyncError: (err) =>
        this.ctx.throttled.warn('desired state not read, retrying', {
          hostId: this.id,
          error: String((err as Error)?.message ?? err),
        }),
    };
  }

  /** A full report once what the sync applied is on disk (unless the link cut meanwhile). */
  private afterFullSync(): void {
    const epoch = this.link.epoch;
    void this.store.whenDurable().then(() => {
      if (this.link.epoch !== epoch || !this.link.flows) return;
      this.reports.requestFull();
      this.ctx.reports.markDirty(this);
    });
  }
}
