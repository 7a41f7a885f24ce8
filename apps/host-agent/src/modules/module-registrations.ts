import type { KeyValueStore } from '../store/key-value-store.js';

export const MODULES_NS = 'modules';

/** A host module's registration of its namespace on a host. */
export interface ModuleRegistration {
  namespace: string;
  registeredAt: string;
}

/** The namespaces modules registered on one host, in its store (they survive a restart). */
export class ModuleRegistrations {
  constructor(private readonly store: KeyValueStore) {}

  /** Registers `namespace` (once: registering it again changes nothing); `created` is false when it was known. */
  register(namespace: string, now: Date): { registration: ModuleRegistration; created: boolean } {
    const known = this.get(namespace);
    if (known) return { registration: known, created: false };
    const registration = { namespace, registeredAt: now.toISOString() };
    this.store.put(MODULES_NS, namespace, registration);
    return { registration, created: true };
  }

  get(namespace: string): ModuleRegistration | undefined {
    return this.store.get<ModuleRegistration>(MODULES_NS, namespace);
  }
}
