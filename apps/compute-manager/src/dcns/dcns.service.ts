import { Inject, Injectable } from '@nestjs/common';
import { afterCommit, commandMetadata, EventLog, NotFoundError, parseAsOf, type SqlClient } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { HostPortsPublisher, hostPortsRevision } from '../desired-state/host-ports.publisher.js';
import { unknownHostIds } from '../hosts/host.read-model.js';
import { TasksService } from '../tasks/tasks.service.js';
import { DcnAggregate, dcnDecider, type Nic, type NicNetwork } from './dcn.decider.js';
import { DcnReadModel } from './dcn.read-model.js';
import { DcnMigrations } from './dcn-migrations.repository.js';
import { dcnView, nicView } from './dcn.view.js';
import type { AttachNicDto, DcnView, NicView } from './dto/dcn.dto.js';

/** DCNs and their NICs: created on a known host, attached by network id to what that host holds. */
@Injectable()
export class DcnsService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dcns: DcnReadModel,
    private readonly migrations: DcnMigrations,
    private readonly tasks: TasksService,
    private readonly ports: HostPortsPublisher,
  ) {}

  async create(name: string, hostId: string): Promise<DcnView> {
    const id = randomUUID();
    return this.log.execute(
      DcnAggregate,
      id,
      commandMetadata(),
      async (state, _v, tx) => {
        const hostKnown = (await unknownHostIds(tx.client, [hostId])).length === 0;
        return dcnDecider.decide({ type: 'CreateDcn', id, name, hostId, hostKnown }, state);
      },
      (state) => dcnView(state),
    );
  }

  async attachNic(dcnId: string, dto: AttachNicDto): Promise<NicView & { taskId: string }> {
    const nic: Nic = { id: randomUUID(), portId: randomUUID(), network: { kind: 'logical', id: '' } };
    const { task } = await this.log.execute(
      DcnAggregate,
      dcnId,
      commandMetadata(),
      async (state, _v, tx) => {
        if (state.status !== 'active') throw new NotFoundError('DCN', dcnId);
        nic.network = await this.resolveNetwork(tx.client, dto);
        const holdings = await this.dcns.holdings(tx.client, state.hostId);
        const hostHasNetwork =
          nic.network.kind === 'logical'
            ? holdings.logicalNetworkIds.has(nic.network.id)
            : holdings.switchIds.has(nic.network.switchId);
        // After the stream's lock (execute takes it first): a migration that started is seen.
        const migrating = (await this.migrations.target(tx.client, dcnId)) !== null;
        return dcnDecider.decide({ type: 'AttachNic', id: dcnId, nic, hostHasNetwork, migrating }, state);
      },
      async (state, _v, _recorded, tx) => {
        const revision = await hostPortsRevision(tx.client, state.hostId);
        return {
          task: await this.tasks.create(tx.client, 'dcn.attach-nic', [state.hostId], {
            kind: 'ports',
            targetId: state.hostId,
            revision,
          }),
        };
      },
    );
    this.tasks.activate(task);
    // Committed: the log's path (dcns.handlers) publishes it again should this fail, NATS being down.
    await afterCommit('host ports', () => this.ports.publish(Object.keys(task.hosts)[0]));
    return { ...nicView(nic), taskId: task.id };
  }

  async list(): Promise<DcnView[]> {
    return (await this.dcns.list()).map(dcnView);
  }

  /** The DCN now, or at a point of the log (`asOf`), folded from its stream: 404 when it did not exist yet. */
  async get(id: string, asOf?: string): Promise<DcnView> {
    if (asOf !== undefined) {
      const { state } = await this.log.load(DcnAggregate, id, parseAsOf(asOf));
      if (state.status !== 'active') throw new NotFoundError('DCN', id);
      return dcnView(state);
    }
    const row = await this.dcns.find(id);
    if (!row) throw new NotFoundError('DCN', id);
    return dcnView(row);
  }

  private async resolveNetwork(client: SqlClient, dto: AttachNicDto): Promise<NicNetwork> {
    if (dto.logicalNetworkId) return { kind: 'logical', id: dto.logicalNetworkId };
    return { kind: 'port-group', id: dto.portGroupId!, switchId: await this.dcns.switchOfPortGroup(client, dto.portGroupId!) };
  }
}
