import type { ModuleData } from '@vnet/contracts';
import type { KeyValueStore } from '../store/key-value-store.js';
import { ModuleOutboxFullError } from './module.errors.js';

export const OUTBOX_NS = 'module-outbox';
/** Messages a host keeps for the compute manager at most (while its link is cut, or NATS away). */
export const OUTBOX_LIMIT = 1000;

/** A message kept for sending, with the correlation id of the request that sent it up. */
export interface OutboxItem {
  message: ModuleData;
  correlationId: string;
}

/**
 * What host modules sent up and the compute manager has not yet acknowledged, in the host's store,
 * oldest first: a message accepted is kept across a cut link and a restart, and sent again (with
 * its id) until JetStream acknowledges it; then it is dropped.
 */
export class ModuleOutbox {
  constructor(
    private readonly store: KeyValueStore,
    private readonly limit = OUTBOX_LIMIT,
  ) {}

  /** Keeps the message to be sent; refuses it when the outbox is full. Durable once the store is. */
  add(item: OutboxItem): void {
    if (this.store.size(OUTBOX_NS) >= this.limit) throw new ModuleOutboxFullError(this.limit);
    this.store.put(OUTBOX_NS, item.message.id, item);
  }

  /** The oldest message not yet acknowledged. */
  next(): OutboxItem | undefined {
    return this.store.values<OutboxItem>(OUTBOX_NS).next().value;
  }

  /** JetStream stored it: it leaves the outbox. */
  delivered(id: string): void {
    this.store.delete(OUTBOX_NS, id);
  }

  get size(): number {
    return this.store.size(OUTBOX_NS);
  }
}
