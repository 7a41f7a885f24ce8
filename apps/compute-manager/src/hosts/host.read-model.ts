import type { SqlClient } from '@vnet/events';

/**
 * Of `hostIds`, those the compute manager does not know, in the order given, each once. A host is
 * known once an operator added it or it reported: hosts are never removed, so no lock is needed.
 */
export async function unknownHostIds(client: SqlClient, hostIds: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(hostIds)];
  if (wanted.length === 0) return [];
  const { rows } = await client.query<{ host_id: string }>('SELECT host_id FROM hosts WHERE host_id = ANY($1::text[])', [wanted]);
  const known = new Set(rows.map((r) => r.host_id));
  return wanted.filter((id) => !known.has(id));
}
