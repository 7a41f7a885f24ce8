import { ConflictError, type Decider } from '@vnet/events';

export type ExtensionEvent =
  | { type: 'ExtensionRegistered'; data: { key: string; namespaces: string[] } }
  | { type: 'ExtensionNamespacesAdded'; data: { key: string; namespaces: string[] } };

export type ExtensionCommand = {
  type: 'RegisterExtension';
  key: string;
  namespaces: string[];
  /** The owner of each asked namespace that has one, looked up under the namespaces' locks. */
  owners: Record<string, string>;
};

export interface ExtensionState {
  registered: boolean;
  key: string;
  /** In the order they were registered. */
  namespaces: string[];
}

/**
 * A management extension and the namespaces it owns. Registering again with the same key adds the
 * namespaces it does not have yet (none is ever taken away); a namespace another extension owns
 * refuses the whole registration (409 NAMESPACE_TAKEN, with `namespaces` naming them).
 */
export const extensionDecider: Decider<ExtensionState, ExtensionCommand, ExtensionEvent> = {
  initialState: () => ({ registered: false, key: '', namespaces: [] }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterExtension': {
        const asked = [...new Set(command.namespaces)];
        const taken = asked.filter((ns) => command.owners[ns] !== undefined && command.owners[ns] !== command.key);
        if (taken.length) {
          throw new ConflictError('NAMESPACE_TAKEN', `namespace ${taken.join(', ')} is owned by another extension`, { namespaces: taken });
        }
        const added = asked.filter((ns) => !state.namespaces.includes(ns));
        if (!state.registered) return [{ type: 'ExtensionRegistered', data: { key: command.key, namespaces: added } }];
        return added.length ? [{ type: 'ExtensionNamespacesAdded', data: { key: command.key, namespaces: added } }] : [];
      }
      default: {
        const never: never = command.type;
        throw new Error(`unknown command ${String(never)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ExtensionRegistered':
        return { registered: true, key: event.data.key, namespaces: [...event.data.namespaces] };
      case 'ExtensionNamespacesAdded':
        return { ...state, namespaces: [...state.namespaces, ...event.data.namespaces] };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};

export const ExtensionAggregate = {
  category: 'extension',
  snapshotSchema: 'extension.v1',
  initialState: extensionDecider.initialState,
  evolve: extensionDecider.evolve,
};
