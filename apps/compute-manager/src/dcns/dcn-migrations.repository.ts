import { Injectable } from '@nestjs/common';
import { poolOf, type SqlClient } from '@vnet/events';
import { DataSource } from 'typeorm';
import type { Nic } from './dcn.decider.js';
import type { HostHoldings } from './dcn.read-model.js';

export interface DcnMigrationRow {
  dcnId: string;
  targetHostId: string;
}

/**
 * The migrations under way, one row per DCN: operational state like a task, not a domain fact (a
 * migration that ends without a move leaves nothing in the log). The target's ports include the
 * DCN's while its row exists: its start and its abort move the target's ports revision on.
 * Not a projection's table: a rebuild keeps it.
 */
@Injectable()
export class DcnMigrations {
  constructor(private readonly dataSource: DataSource) {}

  /** The target of the DCN's migration under way, if any. */
  async target(client: SqlClient, dcnId: string): Promise<string | null> {
    const { rows } = await client.query<{ target_host_id: string }>(
      'SELECT target_host_id FROM dcn_migrations WHERE dcn_id = $1',
      [dcnId],
    );
    return rows[0]?.target_host_id ?? null;
  }

  /** Which of the DCNs are migrating. */
  async migrating(client: SqlClient, dcnIds: readonly string[]): Promise<Set<string>> {
    if (dcnIds.length === 0) return new Set();
    const { rows } = await client.query<{ dcn_id: string }>('SELECT dcn_id FROM dcn_migrations WHERE dcn_id = ANY($1::uuid[])', [
      [...new Set(dcnIds)],
    ]);
    return new Set(rows.map((r) => r.dcn_id));
  }

  /**
   * Records the migration under way (unless one already is), moves its target's ports revision on,
   * and reads what its check must know, in one statement: whether the compute manager knows the
   * target, what the target holds of the networks `nics` are on, and whether the DCN was already
   * migrating, all as they were before the statement. The caller checks after it, in the same
   * transaction: a refusal rolls the row and the revision back, so a refused migration still
   * changes nothing, and an accepted one costs no round trip of its own.
   */
  async start(
    client: SqlClient,
    dcnId: string,
    targetHostId: string,
    nics: readonly Nic[],
  ): Promise<{ targetKnown: boolean; holdings: HostHoldings; migrating: boolean }> {
    const networkIds = [...new Set(nics.flatMap((n) => (n.network.kind === 'logical' ? [n.network.id] : [])))];
    const switchIds = [...new Set(nics.flatMap((n) => (n.network.kind === 'port-group' ? [n.network.switchId] : [])))];
    const { rows } = await client.query<{ known: boolean; nets: string[]; switches: string[]; migrating: boolean }>({
      name: 'dcn_migration_start',
      text: `WITH started AS (
         INSERT INTO dcn_migrations (dcn_id, target_host_id, started_at) VALUES ($1, $2, now())
         ON CONFLICT (dcn_id) DO NOTHING RETURNING target_host_id
       ), bumped AS (
         INSERT INTO host_port_revisions (host_id, revision) SELECT target_host_id, 1 FROM started
         ON CONFLICT (host_id) DO UPDATE SET revision = host_port_revisions.revision + 1
       )
       SELECT EXISTS (SELECT 1 FROM hosts WHERE host_id = $2) AS known,
         ARRAY(SELECT network_id::text FROM host_networks WHERE host_id = $2 AND network_id = ANY($3::uuid[])) AS nets,
         ARRAY(SELECT id::text FROM switches WHERE id = ANY($4::uuid[]) AND state->'hostIds' ? $2) AS switches,
         EXISTS (SELECT 1 FROM dcn_migrations WHERE dcn_id = $1) AS migrating`,
      values: [dcnId, targetHostId, networkIds, switchIds],
    });
    const row = rows[0];
    return {
      targetKnown: row.known,
      holdings: { logicalNetworkIds: new Set(row.nets), switchIds: new Set(row.switches) },
      migrating: row.migrating,
    };
  }

  /** Ends the DCN's migration under way, if any; answers its target. */
  async end(client: SqlClient, dcnId: string): Promise<string | null> {
    const { rows } = await client.query<{ target_host_id: string }>(
      'DELETE FROM dcn_migrations WHERE dcn_id = $1 RETURNING target_host_id',
      [dcnId],
    );
    return rows[0]?.target_host_id ?? null;
  }

  /**
   * Ends the DCN's migration under way without a move, if any, its target's ports revision moved on,
   * in one statement; answers the target. No event records an abort, so no event's handler can put
   * that revision again should the put that follows the commit fail (NATS away) or the process die
   * before it: the revision is also owed (`host_ports_owed`) until a put of it or of a later one is
   * done (`HostPortsPublisher.publishOwed`), and `OwedHostPorts` puts what is still owed, from boot on.
   */
  async abort(client: SqlClient, dcnId: string): Promise<string | null> {
    const { rows } = await client.query<{ host_id: string }>(
      `WITH ended AS (DELETE FROM dcn_migrations WHERE dcn_id = $1 RETURNING target_host_id),
       bumped AS (
         INSERT INTO host_port_revisions (host_id, revision) SELECT target_host_id, 1 FROM ended
         ON CONFLICT (host_id) DO UPDATE SET revision = host_port_revisions.revision + 1
         RETURNING host_id, revision)
       INSERT INTO host_ports_owed (host_id, revision) SELECT host_id, revision FROM bumped
       ON CONFLICT (host_id) DO UPDATE SET revision = GREATEST(host_ports_owed.revision, EXCLUDED.revision)
       RETURNING host_id`,
      [dcnId],
    );
    return rows[0]?.host_id ?? null;
  }

  /** Every migration under way (at boot: those a restart interrupted). */
  async all(): Promise<DcnMigrationRow[]> {
    const { rows } = await poolOf(this.dataSource).query<DcnMigrationRow>(
      'SELECT dcn_id AS "dcnId", target_host_id AS "targetHostId" FROM dcn_migrations ORDER BY started_at',
    );
    return rows;
  }
}
