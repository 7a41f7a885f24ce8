import type { HostPortsDesired, ReportedLogicalPort, SwitchDesired } from '@vnet/contracts';
import type { JournalWriter } from '../audit/journal-entry.js';
import { portsApplied } from '../audit/ports-applied.js';
import type { Clock } from '../common/clock.js';
import type { TimerWheel } from '../common/timer-wheel.js';
import type { HeartbeatTarget } from '../link/heartbeat.sender.js';
import type { HostStore } from '../store/host-store.js';
import type { ApplyConfirmation } from './apply-confirmation.js';
import { ChangeGuard } from './change-guard.js';
import { carrierVlan, overrideFor, placeClone, withOverridesAndClone } from './clone-placement.js';
import { ManagementRepair, type RepairChannel } from './management-repair.js';
import { lastConnectedRevision } from './rollback.machine.js';
import {
  applySwitch,
  dcnPortsOn,
  type ManagementPlacement,
  managementPortId,
  managementVlan,
  placeManagement,
  portViews,
  realizeLogicalPorts,
  type RunningLogicalPort,
  type RunningSwitch,
  unrealizedPorts,
  type WantedPort,
} from './compute-state.js';
import type { ComputeDesiredSource } from './compute-feeds.js';
import { RunningConfigStore } from './running-config.store.js';
import { SwitchOpaqueStore } from '../modules/switch-opaque.store.js';
import type { HostOpaqueSources } from '../modules/host-opaque-view.js';

/** How long an unrealizable port waits for the switch revision that may bring it, before failing. */
const UNREALIZED_GRACE_MS = 250;

/** What a host's compute side needs of its host and of the process. */
export interface HostComputeDeps {
  hostId: string;
  store: HostStore;
  /** The host's own journal: what it applied, proved, rolled back and repaired, in the batch of each change. */
  journal: JournalWriter;
  /** The management port moved: its VLAN is what the link checks now. */
  setManagementVlan(vlan: number): void;
  /** A construct's revision, if the host holds it. */
  constructRevision(networkId: string): number | undefined;
  /** Tells the compute manager each outcome, once durable and proven by a round trip. */
  confirmation: ApplyConfirmation;
  target: HeartbeatTarget;
  repairs: RepairChannel;
  wheel: TimerWheel;
  clock: Clock;
  log(msg: string, fields: Record<string, unknown>): void;
  /**
   * The logical ports changed: the managers record them from the next report. A switch revision
   * applied is not reported this way: the outcome sent to the compute manager says it, and 2,000
   * hosts reporting each push would cost both managers 2,000 transactions for nothing they record.
   */
  reportChanged(correlationId?: string): void;
}

/** The correlation id of the change an outcome answers, when the desired state carried one. */
const traced = (correlationId: string | undefined): { correlationId?: string } => (correlationId ? { correlationId } : {});

/**
 * A host's compute side: the distributed switches it runs (from their final states, applying only
 * its own port-level difference), the ports of its DCNs on both forwarding elements, its management
 * port, and the outcome it sends once a change is durable and a management round trip came back.
 */
export class HostCompute {
  private desiredPorts: HostPortsDesired | null = null;
  private logicalPorts: RunningLogicalPort[] = [];
  private management: ManagementPlacement | null = null;
  /** The ports revision realized and confirmed (or being confirmed). */
  private confirmedPorts = -1;
  /** The ports revision reported failed (some port could not be realized). */
  private failedPorts = -1;
  private readonly config: RunningConfigStore;
  /** The opaque data of the switches it runs, as their applied final states carried it. */
  private readonly opaque: SwitchOpaqueStore;
  private readonly switches: Map<string, RunningSwitch>;
  /** Each switch change awaiting its proof, proven or rolled back. */
  private readonly guard: ChangeGuard;
  private readonly repair: ManagementRepair;

  constructor(private readonly deps: HostComputeDeps) {
    this.config = new RunningConfigStore(deps.store);
    this.opaque = new SwitchOpaqueStore(deps.store);
    this.switches = this.config.loadSwitches();
    this.desiredPorts = this.config.desiredPorts();
    this.logicalPorts = this.config.logicalPorts();
    this.management = this.config.management();
    const { store, journal, wheel, clock, log } = deps;
    this.guard = new ChangeGuard({ store, journal, wheel, clock, restore: (id, reason) => this.rollBack(id, reason), discard: (id) => this.config.discardSaved(id) });
    this.repair = new ManagementRepair({
      target: deps.target, store, journal, channel: deps.repairs, confirmation: deps.confirmation, wheel, clock, log,
      carrierChanged: () => this.setLinkVlan(),
    });
    this.setLinkVlan();
  }

  /** The agent starts: changes awaiting their proof wait on to their stored deadlines, a repair under way goes on. */
  start(): void {
    this.guard.resume();
    this.repair.resume();
  }

  applySwitch(desired: SwitchDesired): void {
    const running = this.switches.get(desired.id);
    if (running && running.revision >= desired.revision) {
      const same = running.revision === desired.revision;
      if (same) this.opaque.keep(desired);
      const correlation = traced(same ? desired.correlationId : undefined);
      this.confirm({ kind: 'switch', targetId: desired.id, revision: running.revision, state: 'applied', ...correlation });
      return;
    }
    const decision = this.guard.beforeApply(desired, running?.revision ?? 0);
    if (decision === 'skip') {
      // Rolled back here: said again at each resync while the desired state still holds it.
      const change = this.guard.state(desired.id);
      if (change?.phase === 'rolled_back') {
        const { revision, restoredRevision, reason: detail } = change;
        const correlation = traced(revision === desired.revision ? desired.correlationId : undefined);
        this.confirm({ kind: 'switch', targetId: desired.id, revision, state: 'rolled_back', restoredRevision, detail, ...correlation });
      }
      return;
    }
    const known = new Set((running?.portGroups ?? []).map((pg) => pg.id));
    const tentative = new Map(this.switches);
    tentative.set(desired.id, { ...(running ?? emptyFrom(desired)), portGroups: desired.portGroups });
    const placement = placeManagement(this.management, tentative, {
      switchId: desired.id,
      newPortGroupIds: new Set(desired.portGroups.filter((pg) => !known.has(pg.id)).map((pg) => pg.id)),
    });
    const { next, touched } = applySwitch(running ?? null, desired, this.wantedOn(desired.id, placement));
    // The pre-change running config, kept until the change is proven (rollback needs it); its ports
    // only when the change changes them.
    if (decision === 'save') this.config.save(desired.id, { switch: running ?? null, management: this.management }, next, placement);
    this.put(next);
    this.deps.journal.append({
      type: 'SwitchRevisionApplied',
      data: { switchId: desired.id, revision: desired.revision, fromRevision: running?.revision ?? 0, portsChanged: touched },
    });
    this.opaque.keep(desired);
    this.moveManagement(placement);
    const correlation = traced(desired.correlationId);
    this.confirm({ kind: 'switch', targetId: desired.id, revision: desired.revision, state: 'applied', ...correlation });
  }

  /** The host is no longer a member of that switch. */
  dropSwitch(switchId: string): void {
    const dropped = this.switches.get(switchId);
    if (!dropped || !this.switches.delete(switchId)) return;
    this.deps.journal.append({ type: 'SwitchDropped', data: { switchId, revision: dropped.revision } });
    this.config.drop(switchId);
    this.opaque.drop(switchId);
    this.guard.forget(switchId);
    this.repair.switchDropped(switchId);
    this.moveManagement(placeManagement(this.management, this.switches, null));
  }

  applyPorts(desired: HostPortsDesired): void {
    if (this.desiredPorts && this.desiredPorts.revision > desired.revision) return;
    if (this.desiredPorts?.revision !== desired.revision) {
      this.deps.journal.append(portsApplied(this.desiredPorts, desired));
      this.desiredPorts = desired;
      this.config.putDesiredPorts(desired);
      this.confirmedPorts = -1;
      this.failedPorts = -1;
      this.setLinkVlan();
    }
    this.realize();
    const clone = this.repair.clone;
    if (clone) {
      const timeoutMs = this.switches.get(clone.switchId)?.rollbackTimeoutMs ?? 30000;
      this.repair.overridden(overrideFor(desired.overrides, clone.switchId, clone.clonedFrom), desired.revision, timeoutMs);
    }
  }

  /** A management round trip sent at `sentAt` came back through the link: it may prove a change or a repair. */
  roundTripBack(sentAt: number): void {
    this.guard.roundTripBack(sentAt);
    this.repair.roundTripBack(sentAt);
  }

  /** The console's repair (`POST /hosts/:id/management/restore`): management onto a clone of its port, on `vlanId`. */
  restoreManagement(vlanId: number): { clonePortId: string } {
    const switchId = this.management?.switchId ?? '';
    const clone = placeClone(this.deps.hostId, this.management, this.switches, vlanId, lastConnectedRevision(this.guard.state(switchId)));
    this.repair.start(clone);
    this.setLinkVlan();
    return { clonePortId: clone.portId };
  }

  pendingRollback(): { switchId: string; savedRevision: number; deadline: string } | null {
    return this.guard.pendingRollback();
  }

  /** The network switch's constructs changed: logical ports may now be realizable (or not). */
  networksChanged(): void {
    if (this.desiredPorts?.ports.some((p) => p.network.kind === 'logical')) this.realize();
  }

  /** The link returned (or the host starts): read back the latest desired state, and confirm what runs. */
  resync(source: ComputeDesiredSource): void {
    const member = new Set<string>();
    for (const desired of source.switches()) {
      if (!desired.hostIds.includes(this.deps.hostId)) continue;
      member.add(desired.id);
      this.applySwitch(desired);
    }
    for (const id of [...this.switches.keys()]) if (!member.has(id)) this.dropSwitch(id);
    const ports = source.ports(this.deps.hostId);
    this.confirmedPorts = -1;
    this.failedPorts = -1;
    if (ports) this.applyPorts(ports);
  }

  computeSwitchesView() {
    return [...this.switches.values()].map((sw) => ({
      id: sw.id,
      revision: sw.revision,
      portGroups: sw.portGroups.map(({ changedAtRevision: _c, ...pg }) => pg),
      ports: withOverridesAndClone(sw.id, portViews(sw), this.desiredPorts?.overrides, this.repair.clone),
    }));
  }

  /** What carries opaque data here: the switches it runs with their entries, its DCN ports and its own entries. */
  opaqueSources(): HostOpaqueSources {
    return {
      hostId: this.deps.hostId,
      switches: [...this.switches.values()].map((sw) => ({ id: sw.id, portGroupIds: sw.portGroups.map((pg) => pg.id), entries: this.opaque.entries(sw.id) })),
      ports: this.desiredPorts?.ports ?? [],
      entries: this.desiredPorts?.opaque ?? [],
    };
  }

  logicalPortsView(): RunningLogicalPort[] {
    return this.logicalPorts;
  }

  reportedLogicalPorts(): ReportedLogicalPort[] {
    return this.logicalPorts.map((p) => ({ id: p.id, logicalNetworkId: p.logicalNetworkId, dcnId: p.connectee.type === 'dcn' ? p.connectee.dcnId : null }));
  }

  reportedSwitches(): Array<{ id: string; revision: number }> {
    return [...this.switches.values()].map((sw) => ({ id: sw.id, revision: sw.revision }));
  }

  /** Re-applies every switch to the ports the host now wants (no new revision), then the logical ports. */
  private realize(): void {
    const ports = this.desiredPorts?.ports ?? [];
    for (const sw of [...this.switches.values()]) {
      const { next, touched } = applySwitch(sw, asDesired(sw), this.wantedOn(sw.id, this.management));
      if (touched > 0) this.put(next);
    }
    const { ports: logical } = realizeLogicalPorts(this.logicalPorts, ports, this.deps.constructRevision);
    if (!sameLogical(logical, this.logicalPorts)) {
      this.logicalPorts = logical;
      this.config.putLogicalPorts(logical);
      this.deps.reportChanged(this.desiredPorts?.correlationId);
    }
    const desired = this.desiredPorts;
    if (!desired || this.confirmedPorts >= desired.revision) return;
    const unrealized = unrealizedPorts(ports, this.switches, (id) => this.deps.constructRevision(id) !== undefined);
    if (unrealized.length === 0) {
      this.confirmedPorts = desired.revision;
      const correlation = traced(desired.correlationId);
      this.confirm({ kind: 'ports', targetId: this.deps.hostId, revision: desired.revision, state: 'applied', ...correlation });
      return;
    }
    this.failLater(desired.revision);
  }

  /**
   * A port the host cannot realize fails its revision, with the reason. Not at once: the switch
   * revision that brings its port group is watched apart from the host's ports and may arrive a
   * moment later. Once realized after all, the revision is confirmed applied.
   */
  private failLater(revision: number): void {
    if (this.failedPorts >= revision) return;
    this.deps.confirmation.later('ports', UNREALIZED_GRACE_MS, () => {
      const desired = this.desiredPorts;
      if (!desired || desired.revision !== revision || this.confirmedPorts >= revision || this.failedPorts >= revision) return null;
      const unrealized = unrealizedPorts(desired.ports, this.switches, (id) => this.deps.constructRevision(id) !== undefined);
      if (unrealized.length === 0) return null;
      this.failedPorts = revision;
      const detail = unrealized.map((u) => `port ${u.id}: ${u.reason}`).join('; ');
      return { kind: 'ports', targetId: this.deps.hostId, revision, state: 'failed', detail, ...traced(desired.correlationId) };
    });
  }

  private wantedOn(switchId: string, placement: ManagementPlacement | null): WantedPort[] {
    const wanted = [...this.dcnPortsOn(switchId)];
    if (placement?.switchId === switchId) {
      wanted.push({ id: managementPortId(this.deps.hostId), portGroupId: placement.portGroupId, connectee: { type: 'management' } });
    }
    return wanted;
  }

  private moveManagement(placement: ManagementPlacement | null): void {
    const before = this.management;
    if (before?.switchId !== placement?.switchId || before?.portGroupId !== placement?.portGroupId) {
      this.management = placement;
      this.config.putManagement(placement);
      // The port leaves its former switch.
      if (before && before.switchId !== placement?.switchId) {
        const old = this.switches.get(before.switchId);
        if (old) this.put(applySwitch(old, asDesired(old), this.wantedOn(old.id, placement)).next);
      }
    }
    this.setLinkVlan();
  }

  /** The link's VLAN: the clone's while it carries management, else the management port's (with its override). */
  private setLinkVlan(): void {
    const place = this.management;
    const override = place && overrideFor(this.desiredPorts?.overrides, place.switchId, managementPortId(this.deps.hostId));
    this.deps.setManagementVlan(carrierVlan(this.repair.clone, override ? override.vlanId : managementVlan(place, this.switches)));
  }

  /**
   * No round trip proved the change in time: the saved config (switch, ports, management place)
   * runs again, and the link follows it; the host reconnects and resyncs through it.
   */
  private rollBack(switchId: string, reason: string): void {
    const running = this.switches.get(switchId);
    const saved = this.config.saved(switchId, running, this.management);
    if (saved.switch) this.put(saved.switch);
    else if (this.switches.delete(switchId)) {
      this.config.drop(switchId);
      this.opaque.drop(switchId);
    }
    this.config.discardSaved(switchId);
    const rolledBack = { switchId, revision: running?.revision ?? 0, restoredRevision: saved.switch?.revision ?? 0, reason };
    this.deps.journal.append({ type: 'ChangeRolledBack', data: rolledBack });
    this.deps.log('switch change rolled back', rolledBack);
    this.moveManagement(saved.management);
  }

  /** Runs `sw`, writing its config and its ports each only when they changed. */
  private put(sw: RunningSwitch): void {
    const before = this.switches.get(sw.id);
    this.switches.set(sw.id, sw);
    this.config.put(sw, before);
  }

  private confirm(outcome: Parameters<ApplyConfirmation['confirm']>[0]): void {
    this.deps.confirmation.confirm(outcome);
  }

  /**
   * The DCN ports wanted on a switch, per ports desired state: a push changes a switch, not the
   * ports its hosts want, and 2,000 hosts rebuilding 30 each per push is garbage to collect.
   */
  private dcnPortsOn(switchId: string): readonly WantedPort[] {
    const desired = this.desiredPorts;
    if (this.wantedFor !== desired) {
      this.wantedFor = desired;
      this.wantedBySwitch.clear();
    }
    let wanted = this.wantedBySwitch.get(switchId);
    if (!wanted) this.wantedBySwitch.set(switchId, (wanted = dcnPortsOn(switchId, desired?.ports ?? [])));
    return wanted;
  }

  private wantedFor: HostPortsDesired | null = null;
  private readonly wantedBySwitch = new Map<string, readonly WantedPort[]>();
}

function emptyFrom(desired: SwitchDesired): RunningSwitch {
  return { id: desired.id, name: desired.name, revision: 0, mtu: desired.mtu, rollbackTimeoutMs: desired.rollbackTimeoutMs, portGroups: [], groupsAppliedAt: {}, ports: [] };
}

function asDesired(sw: RunningSwitch): SwitchDesired {
  return { id: sw.id, name: sw.name, revision: sw.revision, mtu: sw.mtu, rollbackTimeoutMs: sw.rollbackTimeoutMs, hostIds: [], portGroups: sw.portGroups, rollback: true };
}

function sameLogical(a: readonly RunningLogicalPort[], b: readonly RunningLogicalPort[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
