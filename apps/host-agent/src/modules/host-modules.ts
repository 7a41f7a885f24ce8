import type { KeyValueStore } from '../store/key-value-store.js';
import { ModuleOutbox } from './module-outbox.js';
import { ModuleRegistrations } from './module-registrations.js';

/** A host's side of the opaque channel for its modules: the namespaces they registered and what they send up. */
export class HostModules {
  readonly registrations: ModuleRegistrations;
  readonly outbox: ModuleOutbox;
  /** A publisher is sending this host's outbox (one message at a time, in order). */
  sending = false;

  constructor(store: KeyValueStore) {
    this.registrations = new ModuleRegistrations(store);
    this.outbox = new ModuleOutbox(store);
  }
}
