import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import { bumpHostPorts } from '../desired-state/host-port-revisions.js';
import type { DcnEvent } from './dcn.decider.js';

export class DcnProjection implements Projection {
  readonly name = 'dcns';
  /**
   * Not `host_port_revisions`: revisions must only grow (hosts refuse an older value over a newer one),
   * and migrations under way bump it too. Replaying bumps it further, which only makes revisions
   * larger; hosts re-apply the same ports as a no-op.
   */
  readonly tables = ['dcns'];

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
      // Recorded by older logs only (a migration under way is a `dcn_migrations` row now).
      case 'DcnMigrationStarted':
        await client.query('UPDATE dcns SET migrating_to = $2 WHERE id = $1', [e.data.id, e.data.to]);
        await bumpHostPorts(client, e.data.to);
        return;
      case 'DcnMigrated':
        await client.query('UPDATE dcns SET host_id = $2, migrating_to = NULL WHERE id = $1', [e.data.id, e.data.to]);
        // In a fixed order, so that two moves between the same hosts in opposite directions never deadlock.
        for (const host of [e.data.from, e.data.to].sort()) await bumpHostPorts(client, host);
        return;
      // Older logs, and the abort at boot of a migration an older log left started.
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
