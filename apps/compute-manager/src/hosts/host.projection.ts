import type { BatchContext, Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import { bumpHostPorts } from '../desired-state/host-port-revisions.js';
import type { LogicalNetworkConstruct } from '@vnet/contracts';
import type { HostEvent } from './host.decider.js';
import { foldHostNetworks, heldKey, type HostNetworksBefore, type LearnedNetwork, type NetworksReport, removalsOf, touchedBy } from './host-networks.fold.js';

type Positioned = HostEvent & { position: number };

/**
 * What a rebuild keeps of what this projection wrote (see `BatchContext.kept`): every host recorded
 * and whether it is added, every learned network as written, and the hosts that ever held a network
 * (the others hold none, and are not read).
 */
interface KeptHosts {
  added: Map<string, boolean>;
  learned: Map<string, LearnedNetwork>;
  holding: Set<string>;
}

function keptOf(kept: Map<string, unknown>, name: string): KeptHosts {
  let mine = kept.get(name) as KeptHosts | undefined;
  if (!mine) kept.set(name, (mine = { added: new Map(), learned: new Map(), holding: new Set() }));
  return mine;
}
const RECORDS = new Set(['HostAdded', 'HostDiscovered', 'HostNetworksReported']);

export class HostProjection implements Projection {
  readonly name = 'hosts';
  /** Its own tables; the host ports revisions it bumps are additions, as the DCN projection's are. */
  readonly reads = [];
  // Not `host_port_revisions`, which it bumps: revisions only grow, a rebuild bumps them further (see bumpHostPorts).
  readonly tables = ['hosts', 'host_networks', 'learned_networks', 'host_port_overrides', 'host_credential_revocations'];

  /**
   * Hosts and their networks set-based: each host's row written once, the reports folded in log
   * order over the rows they touch (read once) and each changed row written once. The rarer events
   * (overrides, opaque data) are applied one by one, in order: they touch other tables only.
   */
  async applyBatch(events: readonly RecordedEvent[], context: BatchContext): Promise<void> {
    const mine = events.filter((e) => e.streamId.startsWith('host-')) as unknown as Positioned[];
    for (const e of mine) if (!RECORDS.has(e.type)) await this.apply(e as unknown as RecordedEvent, context);
    const kept = context.kept && keptOf(context.kept, this.name);
    const recorded = await this.writeHosts(mine, context, kept);
    const reports: NetworksReport[] = [];
    for (const e of mine) if (e.type === 'HostNetworksReported') reports.push({ hostId: e.data.hostId, position: e.position, upserted: e.data.upserted, removed: e.data.removed });
    if (reports.length) await this.writeNetworks(reports, recorded, context, kept);
  }

  /**
   * Writes the batch's hosts; returns those it recorded first (they held no network before it).
   * With `kept`, the hosts that ever held a network are known: the write is not waited for, and none
   * is returned (`writeNetworks` asks `kept` instead); a host already recorded as it stays is not
   * written again.
   */
  private async writeHosts(events: readonly Positioned[], { client, write }: BatchContext, kept: KeptHosts | undefined): Promise<Set<string>> {
    const hosts = new Map<string, { host_id: string; added: boolean; first_position: number }>();
    for (const e of events) {
      if (!RECORDS.has(e.type)) continue;
      const hostId = (e.data as { hostId: string }).hostId;
      const row = hosts.get(hostId) ?? { host_id: hostId, added: false, first_position: e.position };
      if (e.type === 'HostAdded') row.added = true;
      hosts.set(hostId, row);
    }
    if (hosts.size === 0) return new Set();
    const upsert = `INSERT INTO hosts (host_id, added, first_position)
       SELECT host_id, added, first_position FROM jsonb_to_recordset($1::jsonb) AS r(host_id text, added boolean, first_position bigint)
       ON CONFLICT (host_id) DO UPDATE SET added = hosts.added OR EXCLUDED.added`;
    if (kept) {
      // A host recorded on an earlier page changes only when it is added now.
      const changed = [...hosts.values()].filter((row) => {
        const added = kept.added.get(row.host_id);
        kept.added.set(row.host_id, (added ?? false) || row.added);
        return added === undefined || (!added && row.added);
      });
      if (changed.length) write(upsert, [JSON.stringify(changed)]);
      return new Set();
    }
    // xmax 0: the row was inserted by this statement, not updated.
    const { rows } = await client.query<{ host_id: string; inserted: boolean }>(`${upsert}
       RETURNING host_id, xmax = 0 AS inserted`, [JSON.stringify([...hosts.values()])]);
    return new Set(rows.filter((r) => r.inserted).map((r) => r.host_id));
  }

  private async writeNetworks(
    reports: readonly NetworksReport[],
    newHosts: ReadonlySet<string>,
    { client, write }: BatchContext,
    kept: KeptHosts | undefined,
  ): Promise<void> {
    const { pairs, networks } = touchedBy(reports);
    const before: HostNetworksBefore = { held: new Map(), holders: new Map(), learned: new Map() };
    // A host first recorded by this batch, or (kept) one that never held a network, holds none before
    // it: only the others' pairs are read.
    const known = pairs.filter((p) => (kept ? kept.holding.has(p.hostId) : !newHosts.has(p.hostId)));
    if (known.length) {
      const held = await client.query<{ host_id: string; network_id: string; revision: number }>(
        `SELECT h.host_id, h.network_id, h.revision FROM host_networks h
         JOIN unnest($1::text[], $2::uuid[]) AS p(host_id, network_id) USING (host_id, network_id)`,
        [known.map((p) => p.hostId), known.map((p) => p.networkId)],
      );
      for (const r of held.rows) before.held.set(heldKey(r.host_id, r.network_id), r.revision);
    }
    const removals = removalsOf(reports);
    if (removals.size) {
      // Counted only as far as the removals could bring them down: a network held by thousands of hosts costs no more.
      const holders = await client.query<{ network_id: string; n: number }>(
        `SELECT r.network_id, (SELECT count(*)::int FROM (SELECT 1 FROM host_networks h WHERE h.network_id = r.network_id LIMIT r.cap) held) AS n
         FROM unnest($1::uuid[], $2::int[]) AS r(network_id, cap)`,
        [[...removals.keys()], [...removals.values()].map((n) => n + 1)],
      );
      for (const r of holders.rows) before.holders.set(r.network_id, r.n);
    }
    if (kept) {
      for (const id of networks) {
        const network = kept.learned.get(id);
        if (network) before.learned.set(id, network);
      }
    } else {
      const learned = await client.query<{ id: string; construct: LogicalNetworkConstruct; revision: number; first_position: string }>(
        'SELECT id, construct, revision, first_position FROM learned_networks WHERE id = ANY($1::uuid[])',
        [networks],
      );
      for (const r of learned.rows) before.learned.set(r.id, { construct: r.construct, revision: r.revision, firstPosition: Number(r.first_position) } satisfies LearnedNetwork);
    }

    const writes = foldHostNetworks(before, reports);
    if (kept) {
      for (const p of writes.heldUpserts) kept.holding.add(p.hostId);
      for (const n of writes.learnedUpserts) kept.learned.set(n.id, { construct: n.construct, revision: n.revision, firstPosition: n.firstPosition });
      for (const id of writes.learnedDeletes) kept.learned.delete(id);
    }
    if (writes.heldDeletes.length) {
      write(
        `DELETE FROM host_networks h USING unnest($1::text[], $2::uuid[]) AS p(host_id, network_id)
         WHERE h.host_id = p.host_id AND h.network_id = p.network_id`,
        [writes.heldDeletes.map((p) => p.hostId), writes.heldDeletes.map((p) => p.networkId)],
      );
    }
    if (writes.heldUpserts.length) {
      write(
        `INSERT INTO host_networks (host_id, network_id, revision) SELECT * FROM unnest($1::text[], $2::uuid[], $3::int[])
         ON CONFLICT (host_id, network_id) DO UPDATE SET revision = EXCLUDED.revision`,
        [writes.heldUpserts.map((p) => p.hostId), writes.heldUpserts.map((p) => p.networkId), writes.heldUpserts.map((p) => p.revision)],
      );
    }
    if (writes.learnedDeletes.length) write('DELETE FROM learned_networks WHERE id = ANY($1::uuid[])', [writes.learnedDeletes]);
    if (writes.learnedUpserts.length) {
      write(
        `INSERT INTO learned_networks (id, construct, revision, first_position)
         SELECT id, construct, revision, first_position FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, construct jsonb, revision int, first_position bigint)
         ON CONFLICT (id) DO UPDATE SET construct = EXCLUDED.construct, revision = EXCLUDED.revision, first_position = EXCLUDED.first_position`,
        [JSON.stringify(writes.learnedUpserts.map((n) => ({ id: n.id, construct: n.construct, revision: n.revision, first_position: n.firstPosition })))],
      );
    }
  }

  async apply(event: RecordedEvent, { client }: ProjectionContext): Promise<void> {
    if (!event.streamId.startsWith('host-')) return;
    const e = event as unknown as HostEvent;
    switch (e.type) {
      case 'OpaqueDataPut':
      case 'OpaqueDataDeleted':
        // The host's own opaque data rides its ports desired state.
        await bumpHostPorts(client, e.data.hostId);
        return;
      case 'HostAdded':
        await client.query(
          `INSERT INTO hosts (host_id, added, first_position) VALUES ($1, true, $2)
           ON CONFLICT (host_id) DO UPDATE SET added = true`,
          [e.data.hostId, event.position],
        );
        return;
      case 'HostPortOverridden': {
        const { hostId, switchId, portId, vlanId, fromRevision } = e.data;
        await client.query(
          `INSERT INTO host_port_overrides (host_id, switch_id, port_id, vlan_id, from_revision) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (host_id, switch_id, port_id) DO UPDATE SET vlan_id = EXCLUDED.vlan_id, from_revision = EXCLUDED.from_revision`,
          [hostId, switchId, portId, vlanId, fromRevision],
        );
        // The host's ports desired state carries its overrides: a change of them is a new revision of it.
        await bumpHostPorts(client, hostId);
        return;
      }
      case 'HostPortOverridesCleared':
        await client.query('DELETE FROM host_port_overrides WHERE host_id = $1 AND switch_id = $2', [e.data.hostId, e.data.switchId]);
        await bumpHostPorts(client, e.data.hostId);
        return;
      case 'HostCredentialsRevoked':
        await client.query(
          `INSERT INTO host_credential_revocations (host_id, user_key, revoked_at, position) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [e.data.hostId, e.data.userKey, e.data.revokedAt, event.position],
        );
        return;
      case 'HostDiscovered':
        await client.query('INSERT INTO hosts (host_id, first_position) VALUES ($1, $2) ON CONFLICT DO NOTHING', [e.data.hostId, event.position]);
        return;
      case 'HostNetworksReported': {
        const { hostId, upserted, removed } = e.data;
        await client.query('INSERT INTO hosts (host_id, first_position) VALUES ($1, $2) ON CONFLICT DO NOTHING', [hostId, event.position]);
        if (upserted.length) {
          await client.query(
            `INSERT INTO host_networks (host_id, network_id, revision)
             SELECT $1, id, revision FROM unnest($2::uuid[], $3::int[]) AS u(id, revision)
             ON CONFLICT (host_id, network_id) DO UPDATE SET revision = EXCLUDED.revision`,
            [hostId, upserted.map((c) => c.id), upserted.map((c) => c.revision)],
          );
          await client.query(
            `INSERT INTO learned_networks (id, construct, revision, first_position)
             SELECT (c->>'id')::uuid, c, (c->>'revision')::int, $2 FROM jsonb_array_elements($1::jsonb) AS c
             ON CONFLICT (id) DO UPDATE SET construct = EXCLUDED.construct, revision = EXCLUDED.revision
             WHERE learned_networks.revision < EXCLUDED.revision`,
            [JSON.stringify(upserted), event.position],
          );
        }
        if (removed.length) {
          await client.query('DELETE FROM host_networks WHERE host_id = $1 AND network_id = ANY($2::uuid[])', [hostId, removed]);
          // A network no host holds any more is no longer known here.
          await client.query(
            `DELETE FROM learned_networks l WHERE l.id = ANY($1::uuid[])
             AND NOT EXISTS (SELECT 1 FROM host_networks h WHERE h.network_id = l.id)`,
            [removed],
          );
        }
        return;
      }
    }
  }
}
