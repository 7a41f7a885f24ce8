import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import type { HostRealizationEvent } from './host-realization.decider.js';

export class HostRealizationProjection implements Projection {
  readonly name = 'network-realizations';
  /** Whether a reported network exists. */
  readonly reads = ['logical-networks'];
  readonly tables = ['network_realizations', 'logical_ports'];

  async apply(event: RecordedEvent, { client }: ProjectionContext): Promise<void> {
    const e = event as unknown as HostRealizationEvent;
    if (e.type === 'HostLogicalPortsReported') {
      const { hostId, ports } = e.data;
      await client.query('DELETE FROM logical_ports WHERE host_id = $1', [hostId]);
      if (ports.length) {
        await client.query(
          `INSERT INTO logical_ports (host_id, port_id, network_id, dcn_id)
           SELECT $1, p.id, p.network_id, p.dcn_id FROM unnest($2::text[], $3::uuid[], $4::text[]) AS p(id, network_id, dcn_id)`,
          [hostId, ports.map((p) => p.id), ports.map((p) => p.logicalNetworkId), ports.map((p) => p.dcnId)],
        );
      }
      return;
    }
    if (e.type !== 'HostNetworksRealized') return;
    const { hostId, realized, removed } = e.data;
    if (realized.length) {
      // Only networks the manager still has: a host may report one deleted meanwhile.
      await client.query(
        `INSERT INTO network_realizations (host_id, network_id, revision)
         SELECT $1, r.id, r.revision FROM unnest($2::uuid[], $3::int[]) AS r(id, revision)
         WHERE EXISTS (SELECT 1 FROM logical_networks n WHERE n.id = r.id)
         ON CONFLICT (host_id, network_id) DO UPDATE SET revision = EXCLUDED.revision`,
        [hostId, realized.map((r) => r.id), realized.map((r) => r.revision)],
      );
    }
    if (removed.length) {
      await client.query('DELETE FROM network_realizations WHERE host_id = $1 AND network_id = ANY($2::uuid[])', [hostId, removed]);
    }
  }
}
