import { Inject, Injectable } from '@nestjs/common';
import { type ModuleData, RawJson, stringifyWithRaw } from '@vnet/contracts';
import { commandMetadata, NotFoundError } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import { HostRegistry } from '../hosts/host-registry.js';
import type { Host } from '../hosts/host.js';
import type { ModuleRegistrationView } from './dto/module.dto.js';
import { hostOpaqueView } from './host-opaque-view.js';
import { ModuleDataPublisher } from './module-data.publisher.js';
import type { ModuleDataBody } from './module-data.body.js';
import { ModuleNotRegisteredError } from './module.errors.js';

/** Host modules and the opaque channel (CONTRACT §4, §6.7): registrations, the effective data, data sent up. */
@Injectable()
export class HostModulesService {
  constructor(
    private readonly registry: HostRegistry,
    private readonly publisher: ModuleDataPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Registers a module's namespace on a host, once stored; `created` is false when it was registered already. */
  async register(hostId: string, namespace: string): Promise<{ created: boolean; view: ModuleRegistrationView }> {
    const host = this.host(hostId);
    const { registration, created } = host.modules.registrations.register(namespace, new Date(this.clock.now()));
    await host.store.whenDurable();
    return { created, view: { hostId, ...registration } };
  }

  /** The effective data of a registered namespace, as JSON text with each value spliced in as it came. */
  data(hostId: string, namespace: string): string {
    const host = this.registered(hostId, namespace);
    const entries = hostOpaqueView(host.compute.opaqueSources(), namespace).map(({ valueJson, inheritedFrom, ...rest }) => ({
      entity: rest.entity,
      key: rest.key,
      value: new RawJson(valueJson),
      inheritedFrom,
    }));
    return stringifyWithRaw(entries);
  }

  /**
   * Data a module sends up: kept in the host's outbox, on disk before it is answered, and published
   * through the host's link as soon as (and as long as) it flows, until JetStream acknowledges it.
   */
  async send(hostId: string, namespace: string, body: ModuleDataBody): Promise<{ id: string }> {
    const host = this.registered(hostId, namespace);
    const message: ModuleData = {
      id: randomUUID(),
      hostId,
      namespace,
      entity: body.entity,
      key: body.key,
      valueJson: body.valueJson,
      sentAt: new Date(this.clock.now()).toISOString(),
    };
    host.modules.outbox.add({ message, correlationId: commandMetadata().correlationId });
    await host.store.whenDurable();
    this.publisher.markDirty(host);
    return { id: message.id };
  }

  private registered(hostId: string, namespace: string): Host {
    const host = this.host(hostId);
    if (!host.modules.registrations.get(namespace)) throw new ModuleNotRegisteredError(hostId, namespace);
    return host;
  }

  private host(hostId: string): Host {
    const host = this.registry.get(hostId);
    if (!host) throw new NotFoundError('host', hostId);
    return host;
  }
}
