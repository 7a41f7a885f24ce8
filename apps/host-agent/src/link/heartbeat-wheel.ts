import { HEARTBEAT_TIMEOUT_MS } from '@vnet/contracts';

/** A host's management round trips, as seen from the host. */
export interface RoundTrips {
  /** When the last heartbeat reply came back, through the link. */
  lastRoundTripAt: number | null;
}

/** Connected = a management round trip succeeded within the heartbeat timeout. */
export const managementConnected = (trips: RoundTrips, now: number, timeoutMs = HEARTBEAT_TIMEOUT_MS): boolean =>
  trips.lastRoundTripAt !== null && now - trips.lastRoundTripAt <= timeoutMs;

/**
 * Spreads members over `slotCount` slots visited in turn, one per tick: with an interval of
 * `slotCount` ticks, every member comes up once per interval, and 2,000 hosts make 2,000/slotCount
 * heartbeats per tick instead of 2,000 at once.
 */
export class HeartbeatWheel<T> {
  private readonly slots: T[][];
  private cursor = 0;

  constructor(slotCount: number) {
    this.slots = Array.from({ length: Math.max(1, slotCount) }, () => []);
  }

  /** Into the least loaded slot. */
  add(member: T): void {
    let best = this.slots[0];
    for (const slot of this.slots) if (slot.length < best.length) best = slot;
    best.push(member);
  }

  /** The members of the next slot. */
  next(): readonly T[] {
    const slot = this.slots[this.cursor];
    this.cursor = (this.cursor + 1) % this.slots.length;
    return slot;
  }

  get sizes(): number[] {
    return this.slots.map((s) => s.length);
  }
}
