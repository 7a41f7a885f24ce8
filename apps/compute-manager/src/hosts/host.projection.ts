import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import { bumpHostPorts } from '../desired-state/host-port-revisions.js';
import type { HostEvent } from './host.decider.js';

export class HostProjection implements Projection {
  readonly name = 'hosts';
  // Not `host_port_revisions`, which it bumps: revisions only grow, a rebuild bumps them further (see bumpHostPorts).
  readonly tables = ['hosts', 'host_networks', 'learned_networks', 'host_port_overrides'];

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
