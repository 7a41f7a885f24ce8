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

/**
 * `bumpHostPorts` `n` times for each host of `bumps`, as one statement (a rebuild's batch); null for
 * none. Its values are `$first` and `$first + 1`; `before`, a data-modifying CTE (`name AS (...)`)
 * run in the same statement (a projection's own write, numbering its values from `$1`).
 */
export function hostPortBumpsStatement(
  bumps: ReadonlyMap<string, number>,
  first = 1,
  before?: string,
): { text: string; values: unknown[] } | null {
  if (bumps.size === 0) return null;
  // In one order, so that two batches bumping the same hosts never deadlock.
  const hosts = [...bumps.keys()].sort();
  return {
    text: `${before ? `WITH ${before} ` : ''}INSERT INTO host_port_revisions (host_id, revision) SELECT * FROM unnest($${first}::text[], $${first + 1}::int[])
     ON CONFLICT (host_id) DO UPDATE SET revision = host_port_revisions.revision + EXCLUDED.revision`,
    values: [hosts, hosts.map((h) => bumps.get(h)!)],
  };
}

/** Counts bumps per host, for `hostPortBumpsStatement`. */
export class HostPortBumps extends Map<string, number> {
  bump(hostId: string): void {
    this.set(hostId, (this.get(hostId) ?? 0) + 1);
  }
}
