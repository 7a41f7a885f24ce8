import { Injectable } from '@nestjs/common';
import { NotFoundError, poolOf, type SqlClient } from '@vnet/events';
import { DataSource } from 'typeorm';
import type { AttachLookups, AttachLookupsQuery } from './attach-batch.js';
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
    const { rows } = await this.pool.query<DcnRow>(
      'SELECT id, name, host_id AS "hostId", nics FROM dcns ORDER BY created_position',
    );
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

  /**
   * Everything a batch of attaches must know (see `attachLookupsQuery`), in one statement: each
   * port group's switch, which DCNs migrate, which hosts hold which logical networks, and which
   * hosts are members of the switch of which port groups.
   */
  async attachLookups(client: SqlClient, query: AttachLookupsQuery): Promise<AttachLookups> {
    const { rows } = await client.query<{ switch_of: string[]; migrating: string[]; held: string[]; members: string[] }>({
      name: 'dcn_attach_lookups',
      text: `SELECT
         ARRAY(SELECT id::text || '|' || switch_id::text FROM port_groups WHERE id = ANY($1::uuid[])) AS switch_of,
         ARRAY(SELECT dcn_id::text FROM dcn_migrations WHERE dcn_id = ANY($2::uuid[])) AS migrating,
         ARRAY(SELECT n.host_id || '|' || n.network_id FROM host_networks n
               JOIN unnest($3::text[], $4::uuid[]) AS p(host_id, network_id) ON n.host_id = p.host_id AND n.network_id = p.network_id) AS held,
         ARRAY(SELECT p.host_id || '|' || s.id FROM unnest($5::text[], $6::uuid[]) AS p(host_id, port_group_id)
               JOIN port_groups g ON g.id = p.port_group_id JOIN switches s ON s.id = g.switch_id
               WHERE s.state->'hostIds' ? p.host_id) AS members`,
      values: [
        query.portGroupIds,
        query.dcnIds,
        query.held.map((p) => p.hostId),
        query.held.map((p) => p.networkId),
        query.members.map((p) => p.hostId),
        query.members.map((p) => p.portGroupId),
      ],
    });
    const row = rows[0];
    return {
      switchOf: new Map(row.switch_of.map((pair) => pair.split('|') as [string, string])),
      migrating: new Set(row.migrating),
      held: new Set(row.held),
      members: new Set(row.members),
    };
  }

  /** Which of the pairs' hosts hold the pair's logical network: their `host|network` keys. */
  async heldNetworks(client: SqlClient, pairs: ReadonlyArray<{ hostId: string; networkId: string }>): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const { rows } = await client.query<{ key: string }>(
      `SELECT n.host_id || '|' || n.network_id AS key FROM host_networks n
       JOIN unnest($1::text[], $2::uuid[]) AS p(host_id, network_id) ON n.host_id = p.host_id AND n.network_id = p.network_id`,
      [pairs.map((p) => p.hostId), pairs.map((p) => p.networkId)],
    );
    return new Set(rows.map((r) => r.key));
  }

  /** Which of the pairs' hosts are members of the pair's switch: their `host|switch` keys. */
  async switchMembers(client: SqlClient, pairs: ReadonlyArray<{ hostId: string; switchId: string }>): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const { rows } = await client.query<{ key: string }>(
      `SELECT p.host_id || '|' || s.id AS key FROM switches s
       JOIN unnest($1::text[], $2::uuid[]) AS p(host_id, switch_id) ON s.id = p.switch_id
       WHERE s.state->'hostIds' ? p.host_id`,
      [pairs.map((p) => p.hostId), pairs.map((p) => p.switchId)],
    );
    return new Set(rows.map((r) => r.key));
  }

  /** The switch of each port group found among `ids`. */
  async switchesOfPortGroups(client: SqlClient, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const { rows } = await client.query<{ id: string; switch_id: string }>(
      'SELECT id, switch_id FROM port_groups WHERE id = ANY($1::uuid[])',
      [[...new Set(ids)]],
    );
    return new Map(rows.map((r) => [r.id, r.switch_id]));
  }

  /** The switch of a port group. */
  async switchOfPortGroup(client: SqlClient, portGroupId: string): Promise<string> {
    const { rows } = await client.query<{ switch_id: string }>('SELECT switch_id FROM port_groups WHERE id = $1', [portGroupId]);
    if (!rows[0]) throw new NotFoundError('port group', portGroupId);
    return rows[0].switch_id;
  }
}
