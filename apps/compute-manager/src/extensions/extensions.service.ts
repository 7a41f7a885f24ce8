import { Inject, Injectable } from '@nestjs/common';
import { commandMetadata, EventLog } from '@vnet/events';
import { ExtensionKeyInvalidError } from './extension-key-invalid.error.js';
import { ExtensionAggregate, extensionDecider } from './extension.decider.js';
import { ExtensionReadModel } from './extension.read-model.js';

export interface ExtensionView {
  key: string;
  namespaces: string[];
}

@Injectable()
export class ExtensionsService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly extensions: ExtensionReadModel,
  ) {}

  /**
   * Registers an extension, or adds namespaces to one; answers whether it was new. Registrations of
   * one namespace queue on that namespace's lock (taken in name order, so two registrations never
   * wait for each other in a cycle) and read its owner only once they hold it: of concurrent
   * registrations of a namespace by different extensions exactly one wins.
   */
  async register(key: string, namespaces: string[]): Promise<{ created: boolean; extension: ExtensionView }> {
    return this.log.execute(
      ExtensionAggregate,
      key,
      commandMetadata(),
      async (state, _version, tx) => {
        const asked = [...new Set(namespaces)].sort();
        for (const ns of asked) await tx.lockStream(`namespace:${ns}`);
        const owners = await this.extensions.owners(asked, tx.client);
        return extensionDecider.decide({ type: 'RegisterExtension', key, namespaces, owners }, state);
      },
      (state, _version, recorded) => ({
        created: recorded.some((e) => e.type === 'ExtensionRegistered'),
        extension: { key: state.key, namespaces: state.namespaces },
      }),
    );
  }

  /** Throws EXTENSION_KEY_INVALID unless `extensionKey` is the extension that owns `namespace`. */
  async requireOwner(namespace: string, extensionKey: string | undefined): Promise<void> {
    const owner = await this.extensions.ownerOf(namespace);
    if (extensionKey === undefined || owner === null || owner !== extensionKey) throw new ExtensionKeyInvalidError(namespace, extensionKey);
  }
}
