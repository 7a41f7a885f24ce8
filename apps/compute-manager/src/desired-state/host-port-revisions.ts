import type { SqlClient } from '@vnet/events';

/**
 * Moves a host's ports desired state to its next revision, in the caller's transaction (a projection
 * step, or a migration starting or ending). `host_port_revisions` is an operational counter, not a
 * read model: hosts and the publisher refuse an older revision over a newer one, so it only grows
 * and a rebuild does not truncate it (replaying bumps it further, which only makes revisions larger).
 */
export async function bumpHostPorts(client: SqlClient, hostId: string): Promise<void> {
  await client.query(
    `INSERT INTO host_port_revisions (host_id, revision) VALUES ($1, 1)
     ON CONFLICT (host_id) DO UPDATE SET revision = host_port_revisions.revision + 1`,
    [hostId],
  );
}
