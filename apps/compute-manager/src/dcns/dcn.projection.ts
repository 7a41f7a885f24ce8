import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import { bumpHostPorts } from '../desired-state/host-port-revisions.js';
import type { DcnEvent } from './dcn.decider.js';

export class DcnProjection implements Projection {
  readonly name = 'dcns';
  readonly tables = ['dcns', 'host_port_revisions'];

  async apply(event: RecordedEvent, { client }: ProjectionContext): Promise<void> {
    if (!event.streamId.startsWith('dcn-')) return;
    const e = event as unknown as DcnEvent;
    switch (e.type) {
      case 'DcnCreated':
        await client.query('INSERT INTO dcns (id, name, host_id, created_position) VALUES ($1, $2, $3, $4)', [
          e.data.id,
          e.data.name,
          e.data.hostId,
          event.position,
        ]);
        return;
      case 'NicAttached':
        await client.query('UPDATE dcns SET nics = nics || $2::jsonb WHERE id = $1', [e.data.id, JSON.stringify([e.data.nic])]);
        await bumpHostPorts(client, e.data.hostId);
        return;
      case 'DcnMigrationStarted':
        await client.query('UPDATE dcns SET migrating_to = $2 WHERE id = $1', [e.data.id, e.data.to]);
        await bumpHostPorts(client, e.data.to);
        return;
      case 'DcnMigrated':
        await client.query('UPDATE dcns SET host_id = $2, migrating_to = NULL WHERE id = $1', [e.data.id, e.data.to]);
        await bumpHostPorts(client, e.data.from);
        return;
      case 'DcnMigrationAborted':
        await client.query('UPDATE dcns SET migrating_to = NULL WHERE id = $1', [e.data.id]);
        await bumpHostPorts(client, e.data.to);
        return;
      case 'OpaqueDataPut':
      case 'OpaqueDataDeleted':
        for (const hostId of e.data.hostIds) await bumpHostPorts(client, hostId);
        return;
    }
  }
}
