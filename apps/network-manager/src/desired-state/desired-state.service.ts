import { Injectable } from '@nestjs/common';
import { type LogicalNetworkDesired, logicalNetworkKey, type TransportNodeDesired } from '@vnet/contracts';
import { DataSource } from 'typeorm';
import { DesiredStateBuckets } from './desired-state.buckets.js';

const encode = (value: unknown) => JSON.stringify(value);

/**
 * Writes the final state of a network or a transport node into the buckets hosts watch, read
 * from the read model at the time of writing: whatever order or number of times events arrive
 * in, the bucket ends with the latest state. A network's value carries the correlation id of the
 * change that made its revision (none when the row read is already at a later one).
 */
@Injectable()
export class DesiredStateService {
  constructor(
    private readonly buckets: DesiredStateBuckets,
    private readonly dataSource: DataSource,
  ) {}

  async publishNetwork(
    networkId: string,
    transportZoneId: string,
    origin?: { revision?: number; correlationId: string },
  ): Promise<void> {
    const rows = await this.dataSource.query<Array<{ id: string; name: string; vni: number; mtu: number; transport_zone_id: string; revision: number }>>(
      'SELECT id, name, vni, mtu, transport_zone_id, revision FROM logical_networks WHERE id = $1',
      [networkId],
    );
    const key = logicalNetworkKey(transportZoneId, networkId);
    if (rows.length === 0) {
      await this.buckets.networks.delete(key);
      return;
    }
    const r = rows[0];
    const sameRevision = origin && (origin.revision === undefined || origin.revision === r.revision);
    const construct: LogicalNetworkDesired = {
      id: r.id,
      name: r.name,
      vni: r.vni,
      mtu: r.mtu,
      transportZoneId: r.transport_zone_id,
      revision: r.revision,
      owner: 'network-manager',
      ...(sameRevision ? { correlationId: origin.correlationId } : {}),
    };
    await this.buckets.networks.put(key, encode(construct));
  }

  async zoneOf(networkId: string): Promise<string | null> {
    const rows = await this.dataSource.query<Array<{ transport_zone_id: string }>>(
      'SELECT transport_zone_id FROM logical_networks WHERE id = $1',
      [networkId],
    );
    return rows[0]?.transport_zone_id ?? null;
  }

  async publishTransportNode(hostId: string): Promise<void> {
    const rows = await this.dataSource.query<Array<{ transport_zone_ids: string[] }>>(
      'SELECT transport_zone_ids FROM transport_nodes WHERE host_id = $1',
      [hostId],
    );
    const desired: TransportNodeDesired = { hostId, transportZoneIds: rows[0]?.transport_zone_ids ?? [] };
    await this.buckets.transportNodes.put(hostId, encode(desired));
  }
}
