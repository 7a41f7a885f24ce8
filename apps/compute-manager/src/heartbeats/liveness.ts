import { HEARTBEAT_TIMEOUT_MS } from '@vnet/contracts';

export type ConnectionState = 'connected' | 'disconnected';

/**
 * Liveness of hosts from their heartbeats: live state, outside the log. A host is `connected`
 * while its last heartbeat is younger than the timeout.
 */
export class Liveness {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly timeoutMs = HEARTBEAT_TIMEOUT_MS) {}

  seen(hostId: string, at: number): void {
    this.lastSeen.set(hostId, at);
  }

  lastSeenAt(hostId: string): number | null {
    return this.lastSeen.get(hostId) ?? null;
  }

  state(hostId: string, now: number): ConnectionState {
    const at = this.lastSeen.get(hostId);
    return at !== undefined && now - at < this.timeoutMs ? 'connected' : 'disconnected';
  }
}
