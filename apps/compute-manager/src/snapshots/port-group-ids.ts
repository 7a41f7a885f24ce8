import type { SnapshotPortGroup } from './snapshot-document.js';

/**
 * A snapshot's port groups under new ids, for a switch other than the snapshot's own (ids are
 * unique across the compute manager): each port group gets `newId()`, in order; `mapping` says
 * which new id stands for which old one. Pure but for `newId`.
 */
export function mapPortGroupIds(
  portGroups: readonly SnapshotPortGroup[],
  newId: () => string,
): { portGroups: SnapshotPortGroup[]; mapping: Record<string, string> } {
  const mapping: Record<string, string> = {};
  const mapped = portGroups.map((pg) => {
    mapping[pg.id] ??= newId();
    return { ...pg, id: mapping[pg.id] };
  });
  return { portGroups: mapped, mapping };
}
