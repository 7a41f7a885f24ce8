import type { SqlClient } from '@vnet/events';

/** Automatically allocated VNIs start here; lower ones stay free for operators who pick their own. */
export const VNI_POOL_START = 5000;

/**
 * Allocation is serialised by a transaction-level advisory lock, so concurrent creates never pick
 * the same VNI and never fail for it; an explicit VNI takes the same lock to see them.
 */
export async function lockVniAllocation(client: SqlClient): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext('vnet.vni-allocation'))");
}

export async function vniInUse(client: SqlClient, vni: number): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM logical_networks WHERE vni = $1', [vni]);
  return rows.length > 0;
}

/** The lowest free VNI of the pool: the start, or one past a used VNI whose successor is free. */
export async function lowestFreeVni(client: SqlClient): Promise<number> {
  const { rows } = await client.query<{ vni: number }>(
    `SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM logical_networks WHERE vni = $1) THEN $1
       ELSE (SELECT min(l.vni) + 1 FROM logical_networks l
             WHERE l.vni >= $1 AND NOT EXISTS (SELECT 1 FROM logical_networks m WHERE m.vni = l.vni + 1)) END AS vni`,
    [VNI_POOL_START],
  );
  return Number(rows[0].vni);
}
