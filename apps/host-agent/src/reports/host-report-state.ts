import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { SwitchChange } from '../network-switch/network-switch.js';
import { ChangeSet } from './change-set.js';
import { planDeltaReport, planFullReport, type ReportExtras, type ReportPlan } from './report-plan.js';

/**
 * A host's reporting, without I/O. A change is recorded when applied, becomes reportable once the
 * store has it on disk, and leaves in the next report with every other change of the tick. A full
 * report (`held` = all it holds) replaces whatever deltas wait. When the link cuts, everything
 * waiting is dropped, not queued: the link's return brings a full report instead.
 */
export class HostReportState {
  private unflushed = new ChangeSet();
  private ready = new ChangeSet();
  private fullPending = false;
  private nextSeq = 1;
  /** The host's ports or switches changed: the next report carries them, once on disk. */
  private extrasUnflushed = false;
  private extrasInFlush = false;
  private extrasReady = false;
  /** Planned messages, sent in order, one at a time. */
  readonly outbox: ReportPlan[] = [];
  sending = false;

  /** `correlationId`: of the change that caused it (the report carries the latest one it answers). */
  record(change: SwitchChange, correlationId?: string): void {
    this.unflushed.record(change, correlationId);
  }

  markExtras(correlationId?: string): void {
    this.extrasUnflushed = true;
    if (correlationId) this.unflushed.correlationId = correlationId;
  }

  /** At the start of a store flush: the changes that flush makes durable. */
  takeUnflushed(): ChangeSet {
    const taken = this.unflushed;
    this.unflushed = new ChangeSet();
    this.extrasInFlush = this.extrasUnflushed;
    this.extrasUnflushed = false;
    return taken;
  }

  flushed(changes: ChangeSet): void {
    this.ready.absorb(changes);
    if (this.extrasInFlush) this.extrasReady = true;
    this.extrasInFlush = false;
  }

  /** The flush failed: its changes wait again, before those made since. */
  flushFailed(changes: ChangeSet): void {
    changes.absorb(this.unflushed);
    this.unflushed = changes;
    this.extrasUnflushed ||= this.extrasInFlush;
    this.extrasInFlush = false;
  }

  get extrasWaiting(): boolean {
    return this.extrasReady;
  }

  requestFull(): void {
    this.fullPending = true;
  }

  /** The link cut: nothing waiting is sent later. */
  drop(): void {
    this.ready.clear();
    this.outbox.length = 0;
    this.fullPending = false;
    this.extrasReady = false;
  }

  get hasWork(): boolean {
    return this.fullPending || !this.ready.empty || this.extrasReady || this.outbox.length > 0;
  }

  /**
   * Plans the next messages once the previous ones are out. `durable` gives what the host has on
   * disk: a full report claims nothing else.
   */
  plan(durable: () => LogicalNetworkConstruct[], extras: () => ReportExtras = () => ({ logicalPorts: [], switches: [] })): ReportPlan[] {
    if (this.outbox.length > 0) return [];
    let plans: ReportPlan[];
    if (this.fullPending) {
      this.fullPending = false;
      // What is ready is on disk, so in the full report already, which then answers its change.
      const { correlationId } = this.ready;
      this.ready = new ChangeSet();
      this.extrasReady = false;
      plans = planFullReport(durable(), this.nextSeq);
      plans[0].extras = extras();
      if (correlationId) for (const plan of plans) plan.correlationId = correlationId;
    } else {
      if (this.ready.empty && !this.extrasReady) return [];
      const { upserted, removed, correlationId } = this.ready;
      this.ready = new ChangeSet();
      plans = planDeltaReport([...upserted.values()], [...removed], this.nextSeq);
      if (this.extrasReady) {
        this.extrasReady = false;
        if (plans.length === 0) plans = [{ seq: this.nextSeq, upserted: [], removed: [] }];
        plans[0].extras = extras();
      }
      if (correlationId) for (const plan of plans) plan.correlationId = correlationId;
    }
    this.nextSeq += plans.length;
    this.outbox.push(...plans);
    return plans;
  }
}
