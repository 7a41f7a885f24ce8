import { Inject, Injectable } from '@nestjs/common';
import { type ModuleData, type OpaqueEntityRef, RawJson, stringifyWithRaw } from '@vnet/contracts';
import { commandMetadata, EventLog, InvalidInputError } from '@vnet/events';
import { DcnAggregate, dcnDecider } from '../dcns/dcn.decider.js';
import { DcnMigrations } from '../dcns/dcn-migrations.repository.js';
import { HostPortsPublisher } from '../desired-state/host-ports.publisher.js';
import { ExtensionsService } from '../extensions/extensions.service.js';
import { HostAggregate, hostDecider } from '../hosts/host.decider.js';
import { SwitchChanges } from '../switches/switch-changes.js';
import { OpaqueDataReadModel } from './opaque-data.read-model.js';
import type { OpaquePoint } from './opaque-entries.table.js';
import type { OpaqueCommand } from './opaque-map.js';
import { opaqueAnswer } from './opaque-view.js';

const MODULE_DATA_CONSUMER = 'compute-manager.module-data';

/**
 * Extensions' data on switches, port groups, ports and hosts, each recorded in the stream of the
 * object that owns it (a port group's in its switch's, a port's in its DCN's) and pushed with that
 * object's desired state; and what host modules send up. Values are raw JSON text throughout.
 */
@Injectable()
export class OpaqueDataService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly extensions: ExtensionsService,
    private readonly opaque: OpaqueDataReadModel,
    private readonly switches: SwitchChanges,
    private readonly hostPorts: HostPortsPublisher,
    private readonly migrations: DcnMigrations,
  ) {}

  /** Sets an entry; answers it as JSON text. */
  async put(
    entity: OpaqueEntityRef,
    namespace: string,
    key: string,
    valueJson: string,
    extensionKey: string | undefined,
  ): Promise<string> {
    await this.extensions.requireOwner(namespace, extensionKey);
    await this.change(entity, { op: 'put', entity, namespace, key, valueJson, extensionKey: extensionKey! });
    return stringifyWithRaw({ entity, namespace, key, value: new RawJson(valueJson) });
  }

  /** Deletes an entry (deleting one that is not there records nothing). */
  async delete(entity: OpaqueEntityRef, namespace: string, key: string, extensionKey: string | undefined): Promise<void> {
    await this.extensions.requireOwner(namespace, extensionKey);
    await this.change(entity, { op: 'delete', entity, namespace, key, extensionKey: extensionKey! });
  }

  /** The entity's entries (own, inherited, and sent up by host modules) as JSON text, now or at a point of the log. */
  async view(entity: OpaqueEntityRef, namespace?: string, asOf?: string): Promise<string> {
    const at = asOf === undefined ? undefined : pointOf(asOf);
    const chain = await this.opaque.chainOf(entity);
    return stringifyWithRaw(opaqueAnswer(chain, await this.opaque.entries(chain, at), namespace));
  }

  /** Records what a host module sent up, once per message id. */
  async recordModuleData(message: ModuleData, correlationId: string): Promise<void> {
    await this.log.execute(
      HostAggregate,
      message.hostId,
      { correlationId, causationId: message.id, actor: `host:${message.hostId}` },
      async (state, _version, tx) => {
        if (!(await tx.markHandled(MODULE_DATA_CONSUMER, `${message.hostId}:${message.id}`))) return [];
        return hostDecider.decide({ type: 'RecordModuleData', message }, state);
      },
      () => undefined,
    );
  }

  private async change(entity: OpaqueEntityRef, command: OpaqueCommand): Promise<void> {
    switch (entity.type) {
      case 'switch':
      case 'port-group': {
        const switchId = entity.type === 'switch' ? entity.id : await this.opaque.switchOfPortGroup(entity.id);
        await this.switches.change(switchId, `opaque-data.${command.op}`, () => ({
          type: 'ChangeSwitchOpaqueData',
          id: switchId,
          ...command,
        }));
        return;
      }
      case 'port': {
        const { dcnId } = await this.opaque.dcnOfPort(entity.id);
        const hostIds = await this.log.execute(
          DcnAggregate,
          dcnId,
          commandMetadata(),
          async (state, _version, tx) =>
            dcnDecider.decide(
              {
                type: 'ChangePortOpaqueData',
                id: dcnId,
                migratingTo: await this.migrations.target(tx.client, dcnId),
                ...command,
              },
              state,
            ),
          (_state, _version, recorded) => recorded.flatMap((e) => (e.data as { hostIds: string[] }).hostIds),
        );
        await Promise.all(hostIds.map((h) => this.hostPorts.publish(h)));
        return;
      }
      case 'host': {
        const changed = await this.log.execute(
          HostAggregate,
          entity.id,
          commandMetadata(),
          (state) => hostDecider.decide({ type: 'ChangeHostOpaqueData', hostId: entity.id, ...command }, state),
          (_state, _version, recorded) => recorded.length > 0,
        );
        if (changed) await this.hostPorts.publish(entity.id);
        return;
      }
    }
  }
}

function pointOf(asOf: string): OpaquePoint {
  if (/^\d+$/.test(asOf)) return { position: Number(asOf) };
  const time = new Date(asOf);
  if (Number.isNaN(time.getTime())) throw new InvalidInputError({ asOf: 'must be a log position or an ISO time' });
  return { time };
}
