import { Injectable } from '@nestjs/common';
import { NotFoundError, poolOf, type SqlClient } from '@vnet/events';
import { DataSource } from 'typeorm';
import type { SwitchState } from '../switches/switch.decider.js';
import type { Nic } from './dcn.decider.js';

export interface DcnRow {
  id: string;
  name: string;
  hostId: string;
  nics: Nic[];
}

/** What a host holds, by id: the constructs it reported, and the switches it is a member of. */
export interface HostHoldings {
  logicalNetworkIds: Set<string>;
  switchIds: Set<string>;
}

/** The DCN context's reads: the `dcns` read model, and what a host holds (in a caller's transaction when given). */
@Injectable()
export class DcnReadModel {
  constructor(private readonly dataSource: DataSource) {}

  private get pool(): SqlClient {
    return poolOf(this.dataSource);
  }

  async list(): Promise<DcnRow[]> {
    const { rows } = await this.pool.query<DcnRow>('SELECT id, name, host_id AS "hostId", nics FROM dcns ORDER BY created_position');
    return rows;
  }

  async find(id: string): Promise<DcnRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const { rows } = await this.pool.query<DcnRow>('SELECT id, name, host_id AS "hostId", nics FROM dcns WHERE id = $1', [id]);
    return rows[0] ?? null;
  }

  /** DCNs whose migration was under way: `migratingTo` is the target. */
  async migrating(): Promise<Array<{ id: string; migratingTo: string }>> {
    const { rows } = await this.pool.query<{ id: string; migratingTo: string }>(
      'SELECT id, migrating_to AS "migratingTo" FROM dcns WHERE migrating_to IS NOT NULL',
    );
    return rows;
  }

  async holdings(client: SqlClient, hostId: string): Promise<HostHoldings> {
    const [{ rows: nets }, { rows: switches }] = await Promise.all([
      client.query<{ network_id: string }>('SELECT network_id FROM host_networks WHERE host_id = $1', [hostId]),
      client.query<{ state: SwitchState }>("SELECT state FROM switches WHERE state->'hostIds' ? $1", [hostId]),
    ]);
    return { logicalNetworkIds: new Set(nets.map((n) => n.network_id)), switchIds: new Set(switches.map((s) => s.state.id)) };
  }

  /** The switch of a port group. */
  async switchOfPortGroup(client: SqlClient, portGroupId: string): Promise<string> {
    const { rows } = await client.query<{ switch_id: string }>('SELECT switch_id FROM port_groups WHERE id = $1', [portGroupId]);
    if (!rows[0]) throw new NotFoundError('port group', portGroupId);
    return rows[0].switch_id;
  }
}
