import { Inject, Injectable } from '@nestjs/common';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import { commandMetadata, EventLog, NotFoundError } from '@vnet/events';
import { DataSource } from 'typeorm';
import type { TransportNodeView } from './dto/transport-node.dto.js';
import { TransportNodeAggregate, transportNodeDecider } from './transport-node.decider.js';

interface NodeRow {
  host_id: string;
  transport_zone_ids: string[];
}

@Injectable()
export class TransportNodesService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dataSource: DataSource,
  ) {}

  /** Adds zones to a host's node (creating the node); answers whether it was new. */
  async addZones(hostId: string, transportZoneIds: string[]): Promise<{ created: boolean; node: TransportNodeView }> {
    const created = await this.log.execute(
      TransportNodeAggregate,
      hostId,
      commandMetadata(),
      async (state, _version, tx) => {
        const unique = [...new Set(transportZoneIds)];
        // Zones are share-locked: none of them can be deleted while this commits.
        const { rows } = await tx.client.query<{ id: string }>('SELECT id FROM transport_zones WHERE id = ANY($1::uuid[]) FOR SHARE', [unique]);
        const known = new Set(rows.map((r) => r.id));
        const unknown = unique.find((z) => !known.has(z));
        if (unknown) throw new NotFoundError('transport zone', unknown);
        return transportNodeDecider.decide({ type: 'AddTransportNodeZones', hostId, transportZoneIds: unique }, state);
      },
      (_state, _version, recorded) => recorded.some((e) => e.type === 'TransportNodeCreated'),
    );
    return { created, node: await this.get(hostId) };
  }

  async removeZone(hostId: string, transportZoneId: string): Promise<void> {
    await this.log.execute(
      TransportNodeAggregate,
      hostId,
      commandMetadata(),
      async (state, _version, tx) => {
        const { rows } = await tx.client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM logical_ports p JOIN logical_networks n ON n.id = p.network_id
           WHERE p.host_id = $1 AND n.transport_zone_id = $2`,
          [hostId, transportZoneId],
        );
        return transportNodeDecider.decide({ type: 'RemoveTransportNodeZone', hostId, transportZoneId, portsInZone: rows[0].n }, state);
      },
      () => undefined,
    );
  }

  async list(): Promise<TransportNodeView[]> {
    const nodes = await this.dataSource.query<NodeRow[]>('SELECT host_id, transport_zone_ids FROM transport_nodes ORDER BY created_position');
    return this.withNetworks(nodes);
  }

  async get(hostId: string): Promise<TransportNodeView> {
    const nodes = HOST_ID_PATTERN.test(hostId)
      ? await this.dataSource.query<NodeRow[]>('SELECT host_id, transport_zone_ids FROM transport_nodes WHERE host_id = $1', [hostId])
      : [];
    if (nodes.length === 0) throw new NotFoundError('transport node', hostId);
    return (await this.withNetworks(nodes))[0];
  }

  private async withNetworks(nodes: NodeRow[]): Promise<TransportNodeView[]> {
    if (nodes.length === 0) return [];
    const rows = await this.dataSource.query<Array<{ host_id: string; id: string; revision: number; realized: boolean }>>(
      `SELECT t.host_id, n.id, n.revision, (r.revision IS NOT NULL AND r.revision >= n.revision) AS realized
       FROM transport_nodes t
       JOIN logical_networks n ON n.transport_zone_id = ANY(t.transport_zone_ids)
       LEFT JOIN network_realizations r ON r.host_id = t.host_id AND r.network_id = n.id
       WHERE t.host_id = ANY($1::text[])
       ORDER BY n.created_position`,
      [nodes.map((n) => n.host_id)],
    );
    const byHost = new Map<string, TransportNodeView['networks']>();
    for (const r of rows) {
      const list = byHost.get(r.host_id) ?? [];
      list.push({ id: r.id, revision: r.revision, realized: r.realized });
      byHost.set(r.host_id, list);
    }
    return nodes.map((n) => ({ hostId: n.host_id, transportZoneIds: n.transport_zone_ids, networks: byHost.get(n.host_id) ?? [] }));
  }
}
