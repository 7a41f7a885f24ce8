import { Injectable } from '@nestjs/common';
import { type LogicalNetworkConstruct, logicalNetworkKey, type TransportNodeDesired } from '@vnet/contracts';
import { DataSource } from 'typeorm';
import { DesiredStateBuckets } from './desired-state.buckets.js';

const encode = (value: unknown) => JSON.stringify(value);

/**
 * Writes the final state of a network or a transport node into the buckets hosts watch, read
 * from the read model at the time of writing: whatever order or number of times events arrive
 * in, the bucket ends with the latest state.
 */
@Injectable()
export class DesiredStateService {
  constructor(
    private readonly buckets: DesiredStateBuckets,
    private readonly dataSource: DataSource,
  ) {}

  async publishNetwork(networkId: string, transportZoneId: string): Promise<void> {
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
    const construct: LogicalNetworkConstruct = {
      id: r.id,
      name: r.name,
      vni: r.vni,
      mtu: r.mtu,
      transportZoneId: r.transport_zone_id,
      revision: r.revision,
      owner: 'network-manager',
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
