import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { SwitchChange } from '../network-switch/network-switch.js';

/**
 * What changed on a host's network switch since some point, coalesced: per network only its last
 * state counts (a network upserted then removed is removed; removed then upserted is upserted).
 */
export class ChangeSet {
  readonly upserted = new Map<string, LogicalNetworkConstruct>();
  readonly removed = new Set<string>();
  /** The correlation id of the latest traced change among these: the report of them carries it. */
  correlationId: string | undefined;

  get empty(): boolean {
    return this.upserted.size === 0 && this.removed.size === 0;
  }

  record(change: SwitchChange, correlationId?: string): void {
    if (correlationId) this.correlationId = correlationId;
    if (change.type === 'upserted') {
      if (this.removed.size > 0) this.removed.delete(change.construct.id);
      this.upserted.set(change.construct.id, change.construct);
    } else {
      if (this.upserted.size > 0) this.upserted.delete(change.id);
      this.removed.add(change.id);
    }
  }

  /** Adds `later`'s changes on top of these. */
  absorb(later: ChangeSet): void {
    if (later.correlationId) this.correlationId = later.correlationId;
    for (const id of later.removed) this.record({ type: 'removed', id });
    for (const construct of later.upserted.values()) this.record({ type: 'upserted', construct });
  }

  clear(): void {
    this.correlationId = undefined;
    this.upserted.clear();
    this.removed.clear();
  }
}
