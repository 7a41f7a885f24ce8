import { Injectable } from '@nestjs/common';
import type { DcnPortDesired, HostPortsDesired, PortOverride } from '@vnet/contracts';
import { currentContext, inOneSnapshot, poolOf, type SqlClient } from '@vnet/events';
import { DataSource } from 'typeorm';
import type { Nic } from '../dcns/dcn.decider.js';
import { opaqueEntriesOf } from '../opaque-data/opaque-entries.table.js';
import { ComputeDesiredStateBuckets } from './desired-state.buckets.js';
import { LatestValue } from './latest-value.js';

/** The revision of a host's ports (0 before any DCN port reached it). */
export async function hostPortsRevision(client: SqlClient, hostId: string): Promise<number> {
  const { rows } = await client.query<{ revision: number }>('SELECT revision FROM host_port_revisions WHERE host_id = $1', [
    hostId,
  ]);
  return rows[0]?.revision ?? 0;
}

/**
 * The ports a host must run: those of the DCNs on it, and of the DCNs migrating to it; with the
 * correlation id of the change that moves them, when there is one.
 */
export async function hostPortsDesired(client: SqlClient, hostId: string, correlationId?: string): Promise<HostPortsDesired> {
  // One after the other: on one connection (see HostPortsPublisher.read), queries cannot overlap.
  const revision = await hostPortsRevision(client, hostId);
  const { rows: dcns } = await client.query<{ id: string; nics: Nic[] }>(
    `SELECT id, nics FROM dcns
     WHERE host_id = $1 OR id IN (SELECT dcn_id FROM dcn_migrations WHERE target_host_id = $1) ORDER BY created_position`,
    [hostId],
  );
  const { rows: overrides } = await client.query<PortOverride>(
    `SELECT switch_id AS "switchId", port_id AS "portId", vlan_id AS "vlanId", from_revision AS "fromRevision"
     FROM host_port_overrides WHERE host_id = $1 ORDER BY switch_id, port_id`,
    [hostId],
  );
  const ports: DcnPortDesired[] = dcns.flatMap((d) =>
    d.nics.map((n) => ({
      id: n.portId,
      dcnId: d.id,
      nicId: n.id,
      network:
        n.network.kind === 'logical'
          ? { kind: 'logical' as const, logicalNetworkId: n.network.id }
          : { kind: 'port-group' as const, switchId: n.network.switchId, portGroupId: n.network.id },
    })),
  );
  const opaque = (
    await opaqueEntriesOf(client, [{ type: 'host', id: hostId }, ...ports.map((p) => ({ type: 'port' as const, id: p.id }))], {
      source: 'extensions',
    })
  ).map(({ source: _s, ...entry }) => entry);
  return {
    hostId,
    revision,
    ports,
    ...(overrides.length ? { overrides } : {}),
    ...(opaque.length ? { opaque } : {}),
    ...(correlationId ? { correlationId } : {}),
  };
}

/**
 * Puts a host's ports into the bucket that host watches, once per revision, never an older one over
 * a newer; the value carries the correlation id of the request or message that publishes it.
 */
@Injectable()
export class HostPortsPublisher {
  private readonly latest: LatestValue;

  constructor(
    buckets: ComputeDesiredStateBuckets,
    private readonly dataSource: DataSource,
  ) {
    this.latest = new LatestValue(
      (key, json) => buckets.hostPorts.put(key, json),
      async (key) => {
        const entry = await buckets.hostPorts.get(key);
        return entry?.value.length ? entry.json<HostPortsDesired>().revision : undefined;
      },
    );
  }

  /** Publishes the host's current ports; answers their revision. */
  async publish(hostId: string): Promise<number> {
    const correlationId = currentContext()?.correlationId;
    return (await this.latest.publish(hostId, () => this.read(hostId, correlationId))) ?? 0;
  }

  /**
   * The log's path: publishes the host's ports unless this process already put their current
   * revision (the fast path did, right after the commit). Replaying 60,000 NIC attaches then reads
   * one revision each, not each host's DCNs and NICs.
   */
  async catchUp(hostId: string): Promise<void> {
    const correlationId = currentContext()?.correlationId;
    await this.latest.publish(
      hostId,
      () => this.read(hostId, correlationId),
      () => hostPortsRevision(poolOf(this.dataSource), hostId),
    );
  }

  /**
   * Publishes the host's ports, then settles what was owed of them (see `bumpHostPortsOwed`) up to
   * the revision the bucket now holds; answers that revision. A failed put leaves it owed.
   */
  async publishOwed(hostId: string): Promise<number> {
    const revision = await this.publish(hostId);
    await poolOf(this.dataSource).query('DELETE FROM host_ports_owed WHERE host_id = $1 AND revision <= $2', [hostId, revision]);
    return revision;
  }

  /** Publishes the ports of every host still owed some (a put that failed, a process that died before it); answers how many. */
  async publishAllOwed(): Promise<number> {
    const { rows } = await poolOf(this.dataSource).query<{ host_id: string }>(
      'SELECT host_id FROM host_ports_owed ORDER BY host_id',
    );
    for (const row of rows) await this.publishOwed(row.host_id);
    return rows.length;
  }

  /** The bucket was lost and created again: puts every known host's ports again, from the read models. */
  async republishAll(): Promise<number> {
    this.latest.forget();
    const { rows } = await poolOf(this.dataSource).query<{ host_id: string }>('SELECT host_id FROM hosts ORDER BY host_id');
    for (const row of rows) await this.publish(row.host_id);
    return rows.length;
  }

  private async read(hostId: string, correlationId?: string): Promise<{ revision: number; json: string }> {
    // The revision and the ports it numbers from one snapshot: read apart, a commit landing between
    // them would pair the new revision with the old ports, and the new ports would never be put.
    const desired = await inOneSnapshot(this.dataSource, (client) => hostPortsDesired(client, hostId, correlationId));
    return { revision: desired.revision, json: JSON.stringify(desired) };
  }
}
