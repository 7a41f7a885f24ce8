import { Injectable } from '@nestjs/common';
import { HOST_ID_PATTERN, type OpaqueEntityRef } from '@vnet/contracts';
import { NotFoundError, poolOf, type SqlClient } from '@vnet/events';
import { DataSource } from 'typeorm';
import type { Nic } from '../dcns/dcn.decider.js';
import { opaqueEntriesOf, type OpaquePoint, type OpaqueRow } from './opaque-entries.table.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME: Record<OpaqueEntityRef['type'], string> = { switch: 'switch', 'port-group': 'port group', port: 'port', host: 'host' };

/** The opaque data context's reads: which entity exists, what it inherits from, and its entries. */
@Injectable()
export class OpaqueDataReadModel {
  constructor(private readonly dataSource: DataSource) {}

  private get pool(): SqlClient {
    return poolOf(this.dataSource);
  }

  /** The switch of a port group (404 when there is none). */
  async switchOfPortGroup(portGroupId: string): Promise<string> {
    const { rows } = UUID.test(portGroupId)
      ? await this.pool.query<{ switch_id: string }>('SELECT switch_id FROM port_groups WHERE id = $1', [portGroupId])
      : { rows: [] };
    if (!rows[0]) throw new NotFoundError('port group', portGroupId);
    return rows[0].switch_id;
  }

  /** The DCN whose NIC has this port, and the NIC (404 when there is none). */
  async dcnOfPort(portId: string): Promise<{ dcnId: string; nic: Nic }> {
    const { rows } = UUID.test(portId)
      ? await this.pool.query<{ id: string; nics: Nic[] }>('SELECT id, nics FROM dcns WHERE nics @> $1::jsonb', [JSON.stringify([{ portId }])])
      : { rows: [] };
    const nic = rows[0]?.nics.find((n) => n.portId === portId);
    if (!nic) throw new NotFoundError('port', portId);
    return { dcnId: rows[0].id, nic };
  }

  /**
   * What `entity` inherits from, from the most general to itself: a switch alone; a port group under
   * its switch; a port of a port group under both; a logical network's port and a host alone. 404
   * for an entity that does not exist (now: a point-in-time read resolves entities as they are).
   */
  async chainOf(entity: OpaqueEntityRef): Promise<OpaqueEntityRef[]> {
    switch (entity.type) {
      case 'switch': {
        const { rows } = UUID.test(entity.id) ? await this.pool.query('SELECT 1 FROM switches WHERE id = $1', [entity.id]) : { rows: [] };
        if (!rows.length) throw new NotFoundError(NAME.switch, entity.id);
        return [entity];
      }
      case 'port-group':
        return [{ type: 'switch', id: await this.switchOfPortGroup(entity.id) }, entity];
      case 'port': {
        const { nic } = await this.dcnOfPort(entity.id);
        if (nic.network.kind !== 'port-group') return [entity];
        return [{ type: 'switch', id: nic.network.switchId }, { type: 'port-group', id: nic.network.id }, entity];
      }
      case 'host': {
        const { rows } = HOST_ID_PATTERN.test(entity.id) ? await this.pool.query('SELECT 1 FROM hosts WHERE host_id = $1', [entity.id]) : { rows: [] };
        if (!rows.length) throw new NotFoundError(NAME.host, entity.id);
        return [entity];
      }
    }
  }

  entries(entities: OpaqueEntityRef[], at?: OpaquePoint): Promise<OpaqueRow[]> {
    return opaqueEntriesOf(this.pool, entities, { at });
  }
}
