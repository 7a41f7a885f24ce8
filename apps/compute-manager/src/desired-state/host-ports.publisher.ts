import { Injectable } from '@nestjs/common';
import type { DcnPortDesired, HostPortsDesired, OpaqueEntry, PortOverride } from '@vnet/contracts';
import { currentContext, poolOf, type SqlClient } from '@vnet/events';
import { DataSource } from 'typeorm';
import type { Nic } from '../dcns/dcn.decider.js';
import { liveEntriesText, type OpaqueSqlRow, sortedOpaqueRows } from '../opaque-data/opaque-entries.table.js';
import { Batcher, type Settled } from '../dcns/batcher.js';
import { ComputeDesiredStateBuckets } from './desired-state.buckets.js';
import { LatestValue } from './latest-value.js';

/**
 * The ports each host must run: those of the DCNs on it, and of the DCNs migrating to it; with the
 * correlation id given for it (of the change that moves them), when there is one. One statement
 * whatever the number of hosts: the revisions and the ports they number come from one snapshot.
 */
export async function hostsPortsDesired(
  client: SqlClient,
  hosts: ReadonlyMap<string, string | undefined>,
): Promise<Map<string, HostPortsDesired>> {
  const hostIds = [...hosts.keys()];
  const { rows } = await client.query<{
    revisions: Array<[string, number]>;
    dcns: Array<[string, string, Nic[]]>;
    overrides: Array<PortOverride & { hostId: string }>;
    opaque: OpaqueSqlRow[];
  }>({
    name: 'host_ports_desired',
    text: `WITH wanted AS (
         SELECT d.host_id AS for_host, d.id, d.nics, d.created_position FROM dcns d WHERE d.host_id = ANY($1::text[])
         UNION ALL
         SELECT m.target_host_id, d.id, d.nics, d.created_position FROM dcn_migrations m JOIN dcns d ON d.id = m.dcn_id
         WHERE m.target_host_id = ANY($1::text[])
       ), entities AS (
         SELECT 'host'::text AS entity_type, h AS entity_id FROM unnest($1::text[]) AS h
         UNION
         SELECT 'port', n->>'portId' FROM wanted, jsonb_array_elements(wanted.nics) AS n
       )
       SELECT
         (SELECT coalesce(json_agg(json_build_array(host_id, revision)), '[]') FROM host_port_revisions WHERE host_id = ANY($1::text[])) AS revisions,
         (SELECT coalesce(json_agg(json_build_array(for_host, id, nics) ORDER BY created_position), '[]') FROM wanted) AS dcns,
         (SELECT coalesce(json_agg(json_build_object('hostId', host_id, 'switchId', switch_id, 'portId', port_id, 'vlanId', vlan_id,
                   'fromRevision', from_revision) ORDER BY switch_id, port_id), '[]')
          FROM host_port_overrides WHERE host_id = ANY($1::text[])) AS overrides,
         (SELECT coalesce(json_agg(o), '[]') FROM (${liveEntriesText('SELECT entity_type, entity_id FROM entities', " AND source = ''")}) AS o) AS opaque`,
    values: [hostIds],
  });
  const row = rows[0];
  const ports = new Map<string, DcnPortDesired[]>(hostIds.map((h) => [h, []]));
  for (const [forHost, dcnId, nics] of row.dcns) {
    ports.get(forHost)?.push(
      ...nics.map((n) => ({
        id: n.portId,
        dcnId,
        nicId: n.id,
        network:
          n.network.kind === 'logical'
            ? { kind: 'logical' as const, logicalNetworkId: n.network.id }
            : { kind: 'port-group' as const, switchId: n.network.switchId, portGroupId: n.network.id },
      })),
    );
  }
  // Each host's entries, in the order read (sorted): its own, and its ports'.
  const portHosts = new Map<string, string[]>();
  for (const [hostId, list] of ports) for (const p of list) portHosts.set(p.id, [...(portHosts.get(p.id) ?? []), hostId]);
  const opaque = new Map<string, OpaqueEntry[]>(hostIds.map((h) => [h, []]));
  for (const { source: _s, ...entry } of sortedOpaqueRows(row.opaque)) {
    const owners = entry.entity.type === 'host' ? [entry.entity.id] : (portHosts.get(entry.entity.id) ?? []);
    for (const hostId of owners) opaque.get(hostId)?.push(entry);
  }
  const revisionOf = new Map(row.revisions);
  return new Map(
    hostIds.map((hostId) => {
      const own = row.overrides.filter((o) => o.hostId === hostId).map(({ hostId: _h, ...o }) => o);
      const correlationId = hosts.get(hostId);
      const desired: HostPortsDesired = {
        hostId,
        revision: revisionOf.get(hostId) ?? 0,
        ports: ports.get(hostId)!,
        ...(own.length ? { overrides: own } : {}),
        ...(opaque.get(hostId)!.length ? { opaque: opaque.get(hostId) } : {}),
        ...(correlationId ? { correlationId } : {}),
      };
      return [hostId, desired];
    }),
  );
}

/** Events remembered as put at most (see HostPortsPublisher.covered). */
const MAX_COVERED = 100_000;

/**
 * Puts a host's ports into the bucket that host watches, once per revision, never an older one over
 * a newer; the value carries the correlation id of the request or message that publishes it.
 */
@Injectable()
export class HostPortsPublisher {
  private readonly latest: LatestValue;
  /** `position|host` of the events whose host this process put after their commit. */
  private readonly covered = new Set<string>();
  /** The log's path asks each event's host revision: those asked together are read in one statement. */
  private readonly revisions = new Batcher<string, number>((hostIds) => this.revisionsOf(hostIds), {
    maxBatch: 500,
    maxInFlight: 1,
  });

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
    return this.publishMany(new Map([[hostId, currentContext()?.correlationId]])).get(hostId)!;
  }

  /**
   * `publish` of several hosts (each with the correlation id its value carries), their ports read
   * once for all of them, in one snapshot: answers each host's revision put (or found put).
   * `events`: the positions of each host's events committed before the call, which its put then
   * includes; the log's path skips them (`catchUp`).
   */
  publishMany(
    hosts: ReadonlyMap<string, string | undefined>,
    events?: ReadonlyMap<string, readonly number[]>,
  ): Map<string, Promise<number>> {
    // Read before each key's turn: a value older than one a turn before it put is not put (LatestValue).
    const read = this.readMany(hosts);
    read.catch(() => {});
    return new Map(
      [...hosts.keys()].map((hostId) => [
        hostId,
        this.latest
          .publish(hostId, async () => {
            const desired = (await read).get(hostId)!;
            return { revision: desired.revision, json: JSON.stringify(desired) };
          })
          .then((revision) => {
            for (const position of events?.get(hostId) ?? []) this.cover(position, hostId);
            return revision ?? 0;
          }),
      ]),
    );
  }

  /**
   * The log's path: publishes the host's ports unless this process already put their current
   * revision (the fast path did, right after the commit). Replaying 60,000 NIC attaches then reads
   * one revision each, not each host's DCNs and NICs; an event whose host's put this process
   * already made after its commit (`publishMany`'s `events`) reads nothing.
   */
  async catchUp(hostId: string, position?: number): Promise<void> {
    if (position !== undefined && this.covered.delete(`${position}|${hostId}`)) return;
    const correlationId = currentContext()?.correlationId;
    await this.latest.publish(
      hostId,
      () => this.read(hostId, correlationId),
      () => this.revisions.submit(hostId),
    );
  }

  /**
   * The event at `position` does not change the host's ports (a move, for its target): the log's
   * path has nothing to put for it.
   */
  unchangedBy(position: number, hostId: string): void {
    this.cover(position, hostId);
  }

  /**
   * Publishes the host's ports, then settles what was owed of them (see `DcnMigrationsRepository.abort`) up to
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
    this.covered.clear();
    const { rows } = await poolOf(this.dataSource).query<{ host_id: string }>('SELECT host_id FROM hosts ORDER BY host_id');
    for (const row of rows) await this.publish(row.host_id);
    return rows.length;
  }

  private async read(hostId: string, correlationId?: string): Promise<{ revision: number; json: string }> {
    const desired = (await this.readMany(new Map([[hostId, correlationId]]))).get(hostId)!;
    return { revision: desired.revision, json: JSON.stringify(desired) };
  }

  /** An event's host put after its commit: the log's path has nothing to do for it. */
  private cover(position: number, hostId: string): void {
    this.covered.add(`${position}|${hostId}`);
    // The oldest forgotten first: the log's path then reads its revision, as it would without this.
    if (this.covered.size > MAX_COVERED) this.covered.delete(this.covered.values().next().value!);
  }

  private async revisionsOf(hostIds: string[]): Promise<Array<Settled<number>>> {
    const { rows } = await poolOf(this.dataSource).query<{ host_id: string; revision: number }>({
      name: 'host_ports_revisions',
      text: 'SELECT host_id, revision FROM host_port_revisions WHERE host_id = ANY($1::text[])',
      values: [[...new Set(hostIds)]],
    });
    const revisionOf = new Map(rows.map((r) => [r.host_id, r.revision]));
    return hostIds.map((h) => ({ ok: true, value: revisionOf.get(h) ?? 0 }));
  }

  private async readMany(hosts: ReadonlyMap<string, string | undefined>): Promise<Map<string, HostPortsDesired>> {
    // The revision and the ports it numbers from one statement (one snapshot): read apart, a commit
    // landing between them would pair the new revision with the old ports, and the new ports would
    // never be put.
    return hostsPortsDesired(poolOf(this.dataSource), hosts);
  }
}
