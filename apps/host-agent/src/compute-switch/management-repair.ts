import type { ManagementRepairReply, ManagementRepairRequest, PortOverride } from '@vnet/contracts';
import type { Clock } from '../common/clock.js';
import type { TimerWheel } from '../common/timer-wheel.js';
import type { HeartbeatTarget } from '../link/heartbeat.sender.js';
import type { JournalWriter } from '../audit/journal-entry.js';
import type { HostStore } from '../store/host-store.js';
import type { ApplyConfirmation } from './apply-confirmation.js';
import { type ManagementClone, moveBack, moveBackFailed, provesOriginal } from './clone-placement.js';
import { LATE_REPLY_MS } from './rollback.machine.js';
import { COMPUTE_NS } from './running-config.store.js';

const CLONE_KEY = 'management-clone';
const REQUEST_TIMEOUT_MS = 3000;
const BACKOFF_MAX_MS = 2000;

/** A repair request to the compute manager through a host's link; null when no reply came back. */
export interface RepairChannel {
  request(target: HeartbeatTarget, request: ManagementRepairRequest, timeoutMs: number): Promise<ManagementRepairReply | null>;
}

export interface ManagementRepairDeps {
  target: HeartbeatTarget;
  store: HostStore;
  /** Where each step of a repair is recorded. */
  journal: JournalWriter;
  channel: RepairChannel;
  confirmation: ApplyConfirmation;
  wheel: TimerWheel;
  clock: Clock;
  /** Where management traffic leaves changed: the host recomputes its link's VLAN. */
  carrierChanged(): void;
  log(msg: string, fields: Record<string, unknown>): void;
}

/**
 * The repair through a clone of the management port, on one host (CONTRACT §6.5): asks the compute
 * manager, through the clone, for an override of the original port; once the override is in the
 * host's ports desired state, moves management back and proves it with a round trip within the
 * switch's rollback timeout, then removes the clone. Without that proof management goes back to the
 * clone, which stays, and the host reports a failed `ports` status saying why.
 */
export class ManagementRepair {
  private current: ManagementClone | null;
  private requesting = 0;

  constructor(private readonly deps: ManagementRepairDeps) {
    this.current = deps.store.get<ManagementClone>(COMPUTE_NS, CLONE_KEY) ?? null;
  }

  get clone(): ManagementClone | null {
    return this.current;
  }

  /** The console made `clone`: it carries management now; the compute manager is asked for the override. */
  start(clone: ManagementClone): void {
    this.set(clone);
    this.deps.journal.append({ type: 'ManagementCloned', data: { switchId: clone.switchId, portId: clone.clonedFrom, clonePortId: clone.portId, vlanId: clone.vlanId } });
    this.deps.log('management moved onto a clone of its port', { switchId: clone.switchId, clonePortId: clone.portId, vlanId: clone.vlanId });
    this.resume();
  }

  /** At start and whenever the link returns: a repair not yet answered is asked again. */
  resume(): void {
    const clone = this.current;
    if (clone?.phase === 'moving-back') this.deps.wheel.schedule((clone.deadline ?? 0) + LATE_REPLY_MS - this.deps.clock.now(), () => this.tick());
    if (clone?.phase !== 'carrying') return;
    const generation = ++this.requesting;
    const attempt = async (n: number): Promise<void> => {
      const now = this.current;
      if (generation !== this.requesting || now?.phase !== 'carrying') return;
      const request: ManagementRepairRequest = {
        hostId: this.deps.target.id,
        switchId: now.switchId,
        portId: now.clonedFrom,
        clonePortId: now.portId,
        lastConnectedRevision: Math.max(1, now.lastConnectedRevision),
        sentAt: new Date(this.deps.clock.now()).toISOString(),
      };
      const reply = await this.deps.channel.request(this.deps.target, request, REQUEST_TIMEOUT_MS);
      if (reply?.ok && this.current === now) {
        this.set({ ...now, phase: 'repaired' });
        this.deps.journal.append({ type: 'ManagementOverrideRecorded', data: { switchId: now.switchId, portId: now.clonedFrom, portsRevision: reply.portsRevision ?? 0 } });
        this.deps.log('compute manager recorded the management port override', { switchId: now.switchId, portsRevision: reply.portsRevision });
        return;
      }
      this.deps.wheel.schedule(Math.min(BACKOFF_MAX_MS, 100 * 2 ** n), () => void attempt(n + 1));
    };
    void attempt(0);
  }

  /**
   * The host's ports desired state (revision `portsRevision`) carries `override` for the original
   * port, or not: once repaired, management moves back to the original port.
   */
  overridden(override: PortOverride | undefined, portsRevision: number, timeoutMs: number): void {
    const clone = this.current;
    if (!override || !clone || clone.phase === 'moving-back') return;
    if (clone.failure && clone.triedPortsRevision === portsRevision) return;
    const moved = { ...moveBack(clone, this.deps.clock.now(), timeoutMs), triedPortsRevision: portsRevision, triedVlan: override.vlanId };
    this.set(moved);
    this.deps.journal.append({ type: 'OverrideApplied', data: { switchId: clone.switchId, portId: clone.clonedFrom, vlanId: override.vlanId, portsRevision } });
    this.deps.carrierChanged();
    this.deps.wheel.schedule(timeoutMs + LATE_REPLY_MS, () => this.tick());
  }

  /** A round trip sent at `sentAt` came back through the link. */
  roundTripBack(sentAt: number): void {
    const clone = this.current;
    if (!clone || !provesOriginal(clone, sentAt)) return;
    this.set(null);
    this.deps.journal.append({ type: 'ManagementRepaired', data: { switchId: clone.switchId, portId: clone.clonedFrom, clonePortId: clone.portId } });
    this.deps.log('management back on its original port; clone removed', { switchId: clone.switchId, portId: clone.clonedFrom, clonePortId: clone.portId });
    this.deps.carrierChanged();
  }

  /** The switch the clone is on is gone from this host: so is the clone. */
  switchDropped(switchId: string): void {
    if (this.current?.switchId === switchId) {
      this.set(null);
      this.deps.carrierChanged();
    }
  }

  private tick(): void {
    const clone = this.current;
    if (clone?.phase !== 'moving-back' || this.deps.clock.now() < (clone.deadline ?? 0) + LATE_REPLY_MS) return;
    const failed = moveBackFailed(clone, clone.triedVlan ?? 0);
    this.set({ ...failed, triedPortsRevision: clone.triedPortsRevision, triedVlan: clone.triedVlan });
    this.deps.carrierChanged();
    this.deps.journal.append({ type: 'ManagementRepairFailed', data: { switchId: clone.switchId, portId: clone.clonedFrom, detail: failed.failure ?? '' } });
    this.deps.log('management could not move back to its original port', { switchId: clone.switchId, detail: failed.failure });
    this.deps.confirmation.confirm({
      kind: 'ports',
      targetId: this.deps.target.id,
      revision: clone.triedPortsRevision ?? 0,
      state: 'failed',
      detail: failed.failure,
    });
  }

  private set(clone: ManagementClone | null): void {
    this.current = clone;
    if (clone) this.deps.store.put(COMPUTE_NS, CLONE_KEY, clone);
    else this.deps.store.delete(COMPUTE_NS, CLONE_KEY);
  }
}
