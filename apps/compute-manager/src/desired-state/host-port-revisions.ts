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
 * `bumpHostPorts` for a change that no event records (a migration's abort taking the DCN's ports back
 * from its target): the log's path (an event's handler) cannot publish it again should the put that
 * follows the commit fail, NATS being away, or the process die in between. So the new revision is
 * also owed (`host_ports_owed`, in the same statement) until a put of it or of a later one is done
 * (`HostPortsPublisher.publishOwed`); `OwedHostPorts` puts what is still owed, from boot on.
 */
export async function bumpHostPortsOwed(client: SqlClient, hostId: string): Promise<void> {
  await client.query(
    `WITH bumped AS (
       INSERT INTO host_port_revisions (host_id, revision) VALUES ($1, 1)
       ON CONFLICT (host_id) DO UPDATE SET revision = host_port_revisions.revision + 1
       RETURNING revision)
     INSERT INTO host_ports_owed (host_id, revision) SELECT $1, revision FROM bumped
     ON CONFLICT (host_id) DO UPDATE SET revision = GREATEST(host_ports_owed.revision, EXCLUDED.revision)`,
    [hostId],
  );
}

/** `bumpHostPorts` `n` times for each host of `bumps`, as one statement (a rebuild's batch); null for none. */
export function hostPortBumpsStatement(bumps: ReadonlyMap<string, number>): { text: string; values: unknown[] } | null {
  if (bumps.size === 0) return null;
  // In one order, so that two batches bumping the same hosts never deadlock.
  const hosts = [...bumps.keys()].sort();
  return {
    text: `INSERT INTO host_port_revisions (host_id, revision) SELECT * FROM unnest($1::text[], $2::int[])
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
