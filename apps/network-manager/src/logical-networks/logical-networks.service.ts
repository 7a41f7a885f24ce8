import { Inject, Injectable } from '@nestjs/common';
import { commandMetadata, ConflictError, EventLog, NotFoundError, parseAsOf, type SqlClient } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import type { CreateLogicalNetworkDto, LogicalNetworkDetailView, LogicalNetworkView, UpdateLogicalNetworkDto } from './dto/logical-network.dto.js';
import { DEFAULT_MTU, LogicalNetworkAggregate, logicalNetworkDecider, type LogicalNetworkState } from './logical-network.decider.js';
import { LogicalNetworkEntity, LogicalPortEntity, NetworkRealizationEntity } from './logical-network.entity.js';
import { realizationEventsAt, realizationOf } from './realization-at.js';
import { lockVniAllocation, lowestFreeVni, vniInUse } from './vni-pool.js';

function view(state: LogicalNetworkState): LogicalNetworkView {
  const n = state.network!;
  return { id: n.id, name: n.name, vni: n.vni, transportZoneId: n.transportZoneId, mtu: n.mtu, revision: n.revision };
}

@Injectable()
export class LogicalNetworksService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dataSource: DataSource,
  ) {}

  create(dto: CreateLogicalNetworkDto): Promise<LogicalNetworkView> {
    const id = randomUUID();
    return this.log.execute(
      LogicalNetworkAggregate,
      id,
      commandMetadata(),
      async (state, _version, tx) => {
        await requireZone(tx.client, dto.transportZoneId);
        await lockVniAllocation(tx.client);
        if (dto.vni !== undefined && (await vniInUse(tx.client, dto.vni))) {
          throw new ConflictError('VNI_IN_USE', `VNI ${dto.vni} is already used by another logical network`);
        }
        const vni = dto.vni ?? (await lowestFreeVni(tx.client));
        return logicalNetworkDecider.decide(
          { type: 'CreateLogicalNetwork', id, name: dto.name, vni, mtu: dto.mtu ?? DEFAULT_MTU, transportZoneId: dto.transportZoneId },
          state,
        );
      },
      (state) => view(state),
    );
  }

  async update(id: string, dto: UpdateLogicalNetworkDto, expectedRevision?: number): Promise<LogicalNetworkDetailView> {
    await this.log.execute(
      LogicalNetworkAggregate,
      id,
      commandMetadata(),
      (state) => logicalNetworkDecider.decide({ type: 'UpdateLogicalNetwork', id, ...dto, expectedRevision }, state),
      () => undefined,
    );
    return this.get(id);
  }

  /**
   * Back to what the network was at `toPosition`: new events (the history stays whole), pushed to
   * the hosts of its zone like a PATCH. A network already as it was then records nothing.
   */
  async revert(id: string, toPosition: number): Promise<LogicalNetworkDetailView> {
    const { state: past } = await this.log.load(LogicalNetworkAggregate, id, { position: toPosition });
    await this.log.execute(
      LogicalNetworkAggregate,
      id,
      commandMetadata(),
      (state) => logicalNetworkDecider.decide({ type: 'RevertLogicalNetwork', id, toPosition, past }, state),
      () => undefined,
    );
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.log.execute(
      LogicalNetworkAggregate,
      id,
      commandMetadata(),
      async (state, _version, tx) => {
        const { rows } = await tx.client.query<{ n: number }>('SELECT count(*)::int AS n FROM logical_ports WHERE network_id = $1', [id]);
        return logicalNetworkDecider.decide({ type: 'DeleteLogicalNetwork', id, portsOnNetwork: rows[0].n }, state);
      },
      () => undefined,
    );
  }

  async list(): Promise<LogicalNetworkDetailView[]> {
    const networks = await this.dataSource.getRepository(LogicalNetworkEntity).find({ order: { createdPosition: 'ASC' } });
    return this.withRealization(networks);
  }

  /**
   * The network now, or at a point of the log (`asOf`): folded from its stream (404 when it did not
   * exist yet, or no more), with `realizedOn` and `ports` folded from the hosts' reports up to then.
   */
  async get(id: string, asOf?: string): Promise<LogicalNetworkDetailView> {
    if (asOf !== undefined) return this.getAt(id, asOf);
    const network = await this.dataSource.getRepository(LogicalNetworkEntity).findOneBy({ id });
    if (!network) throw new NotFoundError('logical network', id);
    return (await this.withRealization([network]))[0];
  }

  private async getAt(id: string, asOf: string): Promise<LogicalNetworkDetailView> {
    const point = parseAsOf(asOf);
    const { state } = await this.log.load(LogicalNetworkAggregate, id, point);
    if (state.status !== 'active') throw new NotFoundError('logical network', id);
    return { ...view(state), ...realizationOf(id, await realizationEventsAt(this.log.store, point)) };
  }

  private async withRealization(networks: LogicalNetworkEntity[]): Promise<LogicalNetworkDetailView[]> {
    if (networks.length === 0) return [];
    const ids = networks.map((n) => n.id);
    const [realizations, ports] = await Promise.all([
      this.dataSource.getRepository(NetworkRealizationEntity).find({ where: { networkId: In(ids) }, order: { hostId: 'ASC' } }),
      this.dataSource.getRepository(LogicalPortEntity).find({ where: { networkId: In(ids) }, order: { hostId: 'ASC', portId: 'ASC' } }),
    ]);
    const realizedOn = groupBy(realizations, (r) => r.networkId);
    const portsOn = groupBy(ports, (p) => p.networkId);
    return networks.map((n) => ({
      id: n.id,
      name: n.name,
      vni: n.vni,
      transportZoneId: n.transportZoneId,
      mtu: n.mtu,
      revision: n.revision,
      realizedOn: (realizedOn.get(n.id) ?? []).map((r) => r.hostId),
      ports: (portsOn.get(n.id) ?? []).map((p) => ({ hostId: p.hostId, portId: p.portId, dcnId: p.dcnId })),
    }));
  }
}

/** A network's zone must exist; its row is share-locked so that the zone is not deleted meanwhile. */
async function requireZone(client: SqlClient, transportZoneId: string): Promise<void> {
  const { rows } = await client.query('SELECT 1 FROM transport_zones WHERE id = $1 FOR SHARE', [transportZoneId]);
  if (rows.length === 0) throw new NotFoundError('transport zone', transportZoneId);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
