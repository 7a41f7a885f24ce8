import { Inject, Injectable } from '@nestjs/common';
import { commandMetadata, EventLog, NotFoundError, parseAsOf } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { TransportZoneView } from './dto/create-transport-zone.dto.js';
import { TransportZoneAggregate, transportZoneDecider } from './transport-zone.decider.js';
import { TransportZoneEntity } from './transport-zone.entity.js';

@Injectable()
export class TransportZonesService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dataSource: DataSource,
  ) {}

  create(name: string): Promise<TransportZoneView> {
    const id = randomUUID();
    return this.log.execute(
      TransportZoneAggregate,
      id,
      commandMetadata(),
      (state) => transportZoneDecider.decide({ type: 'CreateTransportZone', id, name }, state),
      (state) => ({ id, name: state.name! }),
    );
  }

  async remove(id: string): Promise<void> {
    await this.log.execute(
      TransportZoneAggregate,
      id,
      commandMetadata(),
      async (state, _version, tx) => {
        // The zone's row lock orders this delete with network creates in the zone (they share-lock it).
        await tx.client.query('SELECT 1 FROM transport_zones WHERE id = $1 FOR UPDATE', [id]);
        const { rows } = await tx.client.query<{ n: number }>('SELECT count(*)::int AS n FROM logical_networks WHERE transport_zone_id = $1', [id]);
        return transportZoneDecider.decide({ type: 'DeleteTransportZone', id, networksInZone: rows[0].n }, state);
      },
      () => undefined,
    );
  }

  async list(): Promise<TransportZoneView[]> {
    const rows = await this.dataSource.getRepository(TransportZoneEntity).find({ order: { createdPosition: 'ASC' } });
    return rows.map((r) => ({ id: r.id, name: r.name }));
  }

  /** The zone now, or at a point of the log (`asOf`), folded from its stream: 404 when it did not exist then. */
  async get(id: string, asOf?: string): Promise<TransportZoneView> {
    if (asOf !== undefined) {
      const { state } = await this.log.load(TransportZoneAggregate, id, parseAsOf(asOf));
      if (state.status !== 'active') throw new NotFoundError('transport zone', id);
      return { id, name: state.name! };
    }
    const row = await this.dataSource.getRepository(TransportZoneEntity).findOneBy({ id });
    if (!row) throw new NotFoundError('transport zone', id);
    return { id: row.id, name: row.name };
  }
}
