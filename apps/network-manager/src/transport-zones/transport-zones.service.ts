import { Inject, Injectable } from '@nestjs/common';
import { currentContext, EventLog, NotFoundError, type EventMetadata } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { TransportZoneView } from './dto/create-transport-zone.dto.js';
import { TransportZoneAggregate, transportZoneDecider } from './transport-zone.decider.js';
import { TransportZoneEntity } from './transport-zone.entity.js';

export function commandMetadata(): EventMetadata {
  const ctx = currentContext();
  return { correlationId: ctx?.correlationId ?? randomUUID(), causationId: null, actor: ctx?.actor ?? 'system' };
}

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
      // Networks arrive with the logical-network context; until then a zone holds none.
      (state) => transportZoneDecider.decide({ type: 'DeleteTransportZone', id, networksInZone: 0 }, state),
      () => undefined,
    );
  }

  async list(): Promise<TransportZoneView[]> {
    const rows = await this.dataSource.getRepository(TransportZoneEntity).find({ order: { createdPosition: 'ASC' } });
    return rows.map((r) => ({ id: r.id, name: r.name }));
  }

  async get(id: string): Promise<TransportZoneView> {
    const row = await this.dataSource.getRepository(TransportZoneEntity).findOneBy({ id });
    if (!row) throw new NotFoundError('transport zone', id);
    return { id: row.id, name: row.name };
  }
}
