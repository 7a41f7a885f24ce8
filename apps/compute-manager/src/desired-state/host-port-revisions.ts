import type { SqlClient } from '@vnet/events';

/** Moves a host's ports desired state to its next revision (a projection step: in the event's transaction). */
export async function bumpHostPorts(client: SqlClient, hostId: string): Promise<void> {
  await client.query(
    `INSERT INTO host_port_revisions (host_id, revision) VALUES ($1, 1)
     ON CONFLICT (host_id) DO UPDATE SET revision = host_port_revisions.revision + 1`,
    [hostId],
  );
}
