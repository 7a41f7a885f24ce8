import { Injectable } from '@nestjs/common';
import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { NotFoundError } from '@vnet/events';
import { DataSource } from 'typeorm';
import type { LearnedNetworkView } from './dto/learned-network.view.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class LogicalNetworksService {
  constructor(private readonly dataSource: DataSource) {}

  list(): Promise<LearnedNetworkView[]> {
    return this.query('');
  }

  async get(id: string): Promise<LearnedNetworkView> {
    const found = UUID.test(id) ? await this.query('WHERE l.id = $1', [id]) : [];
    if (found.length === 0) throw new NotFoundError('logical network', id);
    return found[0];
  }

  private async query(where: string, params: unknown[] = []): Promise<LearnedNetworkView[]> {
    const rows = await this.dataSource.query<Array<{ construct: LogicalNetworkConstruct; hosts: string[] | null }>>(
      `SELECT l.construct, array_agg(h.host_id ORDER BY h.host_id) FILTER (WHERE h.host_id IS NOT NULL) AS hosts
       FROM learned_networks l LEFT JOIN host_networks h ON h.network_id = l.id
       ${where} GROUP BY l.id, l.construct, l.first_position ORDER BY l.first_position, l.id`,
      params,
    );
    return rows.map((r) => {
      const c = r.construct;
      return {
        id: c.id,
        name: c.name,
        vni: c.vni,
        mtu: c.mtu,
        transportZoneId: c.transportZoneId,
        revision: c.revision,
        owner: c.owner,
        hosts: r.hosts ?? [],
      };
    });
  }
}
