import type { HostApplyStatus } from '@vnet/contracts';
import type { TimerWheel } from '../common/timer-wheel.js';
import type { HeartbeatTarget } from '../link/heartbeat.sender.js';

export type Outcome = Omit<HostApplyStatus, 'hostId' | 'sentAt'>;

const BACKOFF_MAX_MS = 2000;
/** How long a host waits for the round trip that proves a change (replies queue up behind thousands of hosts). */
export const CONFIRM_ROUND_TRIP_MS = 3000;

/** The way to the compute manager and back, through a host's link. */
export interface ConfirmationChannel {
  roundTrip(target: HeartbeatTarget, timeoutMs: number): Promise<boolean>;
  send(target: HeartbeatTarget, status: Outcome): boolean;
}

export interface ApplyConfirmationDeps {
  target: HeartbeatTarget;
  channel: ConfirmationChannel;
  whenDurable(): Promise<void>;
  /** Backoffs and delayed checks, on the process's one timer wheel. */
  wheel: TimerWheel;
}

/**
 * Tells the compute manager what a host made of a change, once it is durable and a management
 * round trip through the link came back: the outcome's proof that the host is reachable through
 * what it now runs. The latest outcome per target wins; an older one under way gives way.
 */
export class ApplyConfirmation {
  private readonly confirming = new Map<string, number>();
  private readonly checking = new Set<string>();

  constructor(private readonly deps: ApplyConfirmationDeps) {}

  confirm(outcome: Outcome): void {
    const key = `${outcome.kind}:${outcome.targetId}`;
    const generation = (this.confirming.get(key) ?? 0) + 1;
    this.confirming.set(key, generation);
    const { target } = this.deps;
    const epoch = target.link.epoch;
    // Tried again until it comes back, or the link cuts (its return reads everything back and
    // confirms again), or a newer outcome for the same target takes over: the task has the deadline.
    const current = () => this.confirming.get(key) === generation && target.link.epoch === epoch;
    const attempt = async (n: number): Promise<void> => {
      if (!current()) return;
      if (await this.deps.channel.roundTrip(target, CONFIRM_ROUND_TRIP_MS)) {
        if (this.confirming.get(key) === generation) this.deps.channel.send(target, outcome);
        return;
      }
      this.deps.wheel.schedule(Math.min(BACKOFF_MAX_MS, 100 * 2 ** n), () => void attempt(n + 1));
    };
    void this.deps.whenDurable().then(() => attempt(0));
  }

  /**
   * In `delayMs`, asks `check` for an outcome to confirm (null: nothing to say any more). One check
   * per key at a time.
   */
  later(key: string, delayMs: number, check: () => Outcome | null): void {
    if (this.checking.has(key)) return;
    this.checking.add(key);
    this.deps.wheel.schedule(delayMs, () => {
      this.checking.delete(key);
      const outcome = check();
      if (outcome) this.confirm(outcome);
    });
  }
}
