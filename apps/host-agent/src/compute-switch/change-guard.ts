import type { SwitchDesired } from '@vnet/contracts';
import type { Clock } from '../common/clock.js';
import type { TimerWheel } from '../common/timer-wheel.js';
import type { JournalWriter } from '../audit/journal-entry.js';
import type { HostStore } from '../store/host-store.js';
import { type ChangeEffect, type ChangeInput, type ChangeState, decide, pendingRollbackOf } from './rollback.machine.js';
import { COMPUTE_NS } from './running-config.store.js';

const CHANGE_KEY = 'change:';

export interface ChangeGuardDeps {
  store: HostStore;
  /** Where a change proven is recorded. */
  journal: JournalWriter;
  /** The process's one timer wheel: a host awaiting proof holds one entry in it, not a timer. */
  wheel: TimerWheel;
  clock: Clock;
  /** Put the switch's saved config back (the change was not proven in time). */
  restore(switchId: string, reason: string): void;
  /** The change is proven: its saved config is no longer needed. */
  discard(switchId: string): void;
}

/** What to do with a desired revision, as the guard decided. */
export type ApplyDecision = 'skip' | 'save' | 'apply';

/**
 * Runs the rollback machine of each switch of one host: keeps each switch's change state in the
 * store (with its absolute deadline, so a restarted agent resumes the wait), feeds it the host's
 * round trips and the wheel's ticks, and carries out what it decides.
 */
export class ChangeGuard {
  private readonly states = new Map<string, ChangeState>();
  /** Changes a round trip would prove: when none, a heartbeat reply costs one comparison. */
  private unproven = 0;

  constructor(private readonly deps: ChangeGuardDeps) {
    for (const [key, state] of deps.store.entries<ChangeState>(COMPUTE_NS)) {
      if (key.startsWith(CHANGE_KEY)) this.set(state.switchId, state);
    }
  }

  /** After a restart: each change still awaiting its proof waits on from its stored deadline. */
  resume(): void {
    for (const id of [...this.states.keys()]) this.feed(id, { type: 'resume', at: this.deps.clock.now() });
  }

  /** A desired revision newer than the one running: skip it, or apply it (saving the running config first). */
  beforeApply(desired: SwitchDesired, runningRevision: number): ApplyDecision {
    const effects = this.feed(desired.id, {
      type: 'apply',
      switchId: desired.id,
      revision: desired.revision,
      runningRevision,
      rollback: desired.rollback !== false,
      timeoutMs: desired.rollbackTimeoutMs,
      at: this.deps.clock.now(),
    });
    if (effects.some((e) => e.type === 'skip')) return 'skip';
    return effects.some((e) => e.type === 'save') ? 'save' : 'apply';
  }

  /**
   * A management round trip sent at `sentAt` came back through the link. What it proves is written
   * lazily: nobody waits for it, and lost in a crash the change is proven again by the next round
   * trip (the stored change still awaits its proof, with its deadline).
   */
  roundTripBack(sentAt: number): void {
    if (this.unproven === 0) return;
    const at = this.deps.clock.now();
    this.deps.store.lazily(() => {
      for (const [id, state] of [...this.states]) {
        if (state.phase === 'awaiting' || state.phase === 'unguarded') this.feed(id, { type: 'round-trip-back', sentAt, at });
      }
    });
  }

  state(switchId: string): ChangeState | null {
    return this.states.get(switchId) ?? null;
  }

  /** The host left the switch: nothing of it to prove or roll back. */
  forget(switchId: string): void {
    if (!this.states.has(switchId)) return;
    this.set(switchId, null);
    this.deps.store.delete(COMPUTE_NS, `${CHANGE_KEY}${switchId}`);
  }

  /** The change awaiting proof with the nearest deadline (CONTRACT §4 `pendingRollback`). */
  pendingRollback(): { switchId: string; savedRevision: number; deadline: string } | null {
    let found: ReturnType<typeof pendingRollbackOf> = null;
    if (this.unproven === 0) return null;
    for (const state of this.states.values()) {
      const pending = pendingRollbackOf(state);
      if (pending && (!found || pending.deadline < found.deadline)) found = pending;
    }
    return found && { ...found, deadline: new Date(found.deadline).toISOString() };
  }

  private tick(switchId: string): void {
    this.feed(switchId, { type: 'tick', at: this.deps.clock.now() });
  }

  private feed(switchId: string, input: ChangeInput): ChangeEffect[] {
    const before = this.states.get(switchId) ?? null;
    const { state, effects } = decide(before, input);
    if (state !== before) {
      this.set(switchId, state);
      if (state) this.deps.store.put(COMPUTE_NS, `${CHANGE_KEY}${switchId}`, state);
      if (state?.phase === 'proven' && before && isUnproven(before)) {
        this.deps.journal.append({ type: 'ChangeProven', data: { switchId, revision: state.revision } });
      }
    }
    for (const effect of effects) {
      if (effect.type === 'wake') this.deps.wheel.schedule(effect.at - this.deps.clock.now(), () => this.tick(switchId));
      else if (effect.type === 'discard') this.deps.discard(switchId);
      else if (effect.type === 'restore') this.deps.restore(switchId, effect.reason);
    }
    return effects;
  }

  private set(switchId: string, state: ChangeState | null): void {
    const was = this.states.get(switchId);
    if (was && isUnproven(was)) this.unproven--;
    if (state) this.states.set(switchId, state);
    else this.states.delete(switchId);
    if (state && isUnproven(state)) this.unproven++;
  }
}

const isUnproven = (state: ChangeState): boolean => state.phase === 'awaiting' || state.phase === 'unguarded';
